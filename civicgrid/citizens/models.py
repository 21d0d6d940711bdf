"""The citizen's side: private tracking links and the rate-limit counters of the public pages."""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def token_hash(token: str) -> str:
    """What is stored of a tracking token or a form key: its SHA-256, never the value."""
    return hashlib.sha256(token.encode()).hexdigest()


class TrackingRole(models.TextChoices):
    REPORTER = "reporter", _("reporter")
    SUPPORTER = "supporter", _("supporter (+1)")


class Tracking(models.Model):
    """A private tracking link (``/track/<token>/``) to one case, given to a citizen.

    The token is shown once, on the page that confirms the report or the +1; only its
    SHA-256 is kept, so the table cannot be read back into links. The reporter's link
    may rate the case (the callback); a supporter's only follows it. ``key_hash`` is the
    hash of the form's hidden key, so a resend of the same form is recognised.
    """

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="trackings"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(
        _("role"), max_length=10, choices=TrackingRole.choices, default=TrackingRole.REPORTER
    )
    key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("tracking link")
        verbose_name_plural = _("tracking links")

    def __str__(self) -> str:
        return f"{self.case_id} {self.role}"

    @property
    def may_rate(self) -> bool:
        return self.role == TrackingRole.REPORTER


class RateCount(models.Model):
    """How many requests one key (``ip:…``, ``phone:…``) made in one fixed time window.

    Kept in the database, not in a process, because every web process must count the
    same requests. Incremented with one conditional ``UPDATE`` (``ratelimit.hit``).
    """

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_count_once")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
