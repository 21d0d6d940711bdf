"""Alerts from other platforms (感知预警): the sources, what they sent, what was refused.

A source (a flood-gauge network, a fire-risk platform, a video-analytics platform)
POSTs signed JSON to ``/alerts/<slug>/``. Every request that passes the signature check
is stored first as an :class:`AlertDelivery` and processed after, so nothing accepted
is lost; requests refused before that (unknown source, bad signature, replay…) are
written to :class:`AlertRefusal`, a capped log.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SourceKind(models.TextChoices):
    """Which adapter reads a source's payloads (``alerts.adapters``)."""

    FLOOD = "flood_level", _("flood water level")
    FIRE = "fire_risk", _("fire-risk alert")
    VIDEO = "video_analytics", _("video analytics")


def new_secret() -> str:
    """A fresh shared secret: 32 random bytes as hex."""
    return secrets.token_hex(32)


class AlertSource(models.Model):
    """Another platform allowed to post alerts (接入的感知平台), with its shared secret.

    The secret is kept in clear: checking an HMAC needs it (unlike an API key, of which
    a hash is enough). Only superusers see it in the admin. ``region`` bounds where its
    alerts may lie; ``options`` tune its adapter (category codes per alert type, a
    flood threshold…), see docs/alerts.md.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=50,
        unique=True,
        help_text=_("The last part of its address, /alerts/…/"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    secret = models.CharField(_("shared secret"), max_length=128, default=new_secret)
    active = models.BooleanField(_("active"), default=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Alerts outside this region are refused."),
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    dedupe_window_minutes = models.PositiveIntegerField(
        _("repeat window (minutes)"),
        default=120,
        help_text=_("Alerts of the same type this close in time and place join one open case."),
    )
    dedupe_distance_m = models.PositiveIntegerField(_("repeat distance (metres)"), default=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    secret_rotated_at = models.DateTimeField(_("secret changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert source")
        verbose_name_plural = _("alert sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from .adapters import option_errors

        errors = option_errors(self.kind, self.options)
        if errors:
            raise ValidationError({"options": errors})


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("received, not processed yet")
    PROCESSED = "processed", _("processed")
    MERGED = "merged", _("merged into an open case")
    REJECTED = "rejected", pgettext_lazy("alert delivery", "rejected")
    FAILED = "failed", _("failed, will be retried")


# Deliveries the retry command still has to process.
PENDING = (DeliveryStatus.RECEIVED, DeliveryStatus.FAILED)


class DeliveryQuerySet(models.QuerySet):
    def counts(self) -> dict[str, int]:
        """How many deliveries are in each status; ``merged`` is the duplicates merged."""
        rows = self.order_by().values("status").annotate(n=Count("id"))
        found = {row["status"]: row["n"] for row in rows}
        return {status: found.get(status, 0) for status in DeliveryStatus.values}


class AlertDelivery(models.Model):
    """One signed request of a source, stored before anything is made of it.

    Only requests with a valid signature and a fresh timestamp are stored.
    ``delivery_id`` is the sender's ``X-Civicgrid-Delivery``: unique per source, so a
    replay is refused even when two copies arrive at once. Processing fills the
    normalised alert (``external_id`` … ``observed_at``) and the ``case`` it opened
    (status ``processed``) or joined as a repeat (``merged``). A delivery whose
    processing failed stays ``received``/``failed`` for ``civicgrid process-alerts``.
    """

    source = models.ForeignKey(
        AlertSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="deliveries"
    )
    delivery_id = models.CharField(_("delivery id"), max_length=100)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.RECEIVED,
        db_index=True,
    )
    error = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alert_deliveries",
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    alert_type = models.CharField(_("alert type"), max_length=30, blank=True)
    lng = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    observed_at = models.DateTimeField(_("observed at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "delivery_id"], name="one_delivery_per_source_id"
            ),
        ]
        indexes = [
            models.Index(fields=["source", "external_id"]),
            models.Index(fields=["alert_type", "observed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}#{self.delivery_id}"


class RefusalReason(models.TextChoices):
    UNKNOWN_SOURCE = "unknown_source", _("unknown or inactive source")
    BAD_SIGNATURE = "bad_signature", _("missing or wrong signature")
    STALE = "stale", _("timestamp too old or too new (replay)")
    REPLAYED = "replayed", _("delivery id already received (replay)")
    TOO_LARGE = "too_large", _("body too large")
    NO_DELIVERY_ID = "no_delivery_id", _("missing or invalid delivery id")


class AlertRefusal(models.Model):
    """A request refused before it was stored; capped (``services.KEEP_REFUSALS``).

    The body of a refused request is not kept (anyone can send one), only its size.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    source = models.ForeignKey(
        AlertSource,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="refusals",
    )
    slug = models.CharField(_("address used"), max_length=100)
    delivery_id = models.CharField(_("delivery id"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=RefusalReason.choices)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"))
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    size = models.PositiveIntegerField(_("body size (bytes)"), default=0)

    class Meta:
        verbose_name = _("refused alert request")
        verbose_name_plural = _("refused alert requests")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.slug} {self.reason} {self.at:%Y-%m-%d %H:%M}"


class AlertLock(models.Model):
    """One row per source kind, locked while an alert of that kind is matched to a case.

    Matching "same place, same type, within the window" cannot be a unique constraint,
    so deciders of one kind take turns: the second of two identical alerts sees the
    case the first opened. (SQLite serialises writers anyway; PostgreSQL needs this.)
    """

    key = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.key
