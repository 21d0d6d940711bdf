"""What grid workers do besides the case loop: patrols, and summoning departments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import user_field


class Patrol(models.Model):
    """One round of a grid worker: when it started and ended, and their notes.

    Only times and notes are kept: no positions are recorded (people are not tracked).
    """

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.PROTECT,
        related_name="patrols",
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(ended_at__isnull=True), name="one_open_patrol"
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        return (self.ended_at or timezone.now()) - self.started_at


class Summons(models.Model):
    """A department summoned to a case by a whistle (吹哨); it must report in (报到)
    within the acknowledgement time limit of the case's category and urgency."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="summons"
    )
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="summons",
    )
    summoned_by = user_field(_("summoned by"))
    summoned_at = models.DateTimeField(_("summoned at"), default=timezone.now)
    due_at = models.DateTimeField(_("report in by"))
    reason = models.TextField(_("what for"))
    reported_at = models.DateTimeField(_("reported in at"), null=True, blank=True)
    reported_by = user_field(_("reported in by"), optional=True)
    response = models.TextField(_("response"), blank=True)

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        ordering = ["-summoned_at"]
        indexes = [models.Index(fields=["department", "reported_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=Q(reported_at__isnull=True),
                name="one_pending_summons_per_department",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department}"

    @property
    def late(self) -> bool:
        """Reported in after the limit, or still not there past it."""
        return (self.reported_at or timezone.now()) > self.due_at
