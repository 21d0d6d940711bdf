"""Warnings (预警): a level (蓝 / 黄 / 橙 / 红), an event type, an area (a drawn polygon or
a circle), when it starts and ends, and what people must do — exported as CAP 1.2
(``cap``) so other systems can carry them.

A warning is a series of messages, as in CAP: the first is an ``Alert``; an ``Update``
or a ``Cancel`` (lifting it) is a new row that ``replaces`` the one in force and names
every earlier message in its ``references``. Every message is drafted, then approved
by a commander before it is sent (``warning_flow``); a sent message never changes.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import user_field


class WarningLevel(models.TextChoices):
    """预警级别: blue is the lowest, red the highest."""

    BLUE = "blue", _("blue (蓝色)")
    YELLOW = "yellow", _("yellow (黄色)")
    ORANGE = "orange", _("orange (橙色)")
    RED = "red", _("red (红色)")


class MessageType(models.TextChoices):
    """CAP ``msgType``: the first message, a change, or lifting the warning."""

    ALERT = "Alert", _("issue")
    UPDATE = "Update", _("update")
    CANCEL = "Cancel", _("lift")


class WarningState(models.TextChoices):
    DRAFT = "draft", _("waiting for approval")
    SENT = "sent", _("sent")
    REPLACED = "replaced", _("replaced by a later message")


class CapCategory(models.TextChoices):
    """CAP 1.2 ``category`` values."""

    GEO = "Geo", _("geophysical")
    MET = "Met", _("meteorological")
    SAFETY = "Safety", _("public safety")
    SECURITY = "Security", _("security")
    RESCUE = "Rescue", _("rescue and recovery")
    FIRE = "Fire", _("fire")
    HEALTH = "Health", _("public health")
    ENV = "Env", _("environment")
    TRANSPORT = "Transport", _("transport")
    INFRA = "Infra", _("infrastructure")
    CBRNE = "CBRNE", _("chemical, biological, radiological, nuclear or explosive")
    OTHER = "Other", _("other")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("immediate")
    EXPECTED = "Expected", _("expected")
    FUTURE = "Future", _("future")
    PAST = "Past", _("past")
    UNKNOWN = "Unknown", _("unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("observed")
    LIKELY = "Likely", _("likely")
    POSSIBLE = "Possible", _("possible")
    UNLIKELY = "Unlikely", _("unlikely")
    UNKNOWN = "Unknown", _("unknown")


# The CAP severity of each level (GB/T 35965-style mapping of the four colours).
CAP_SEVERITY = {
    WarningLevel.BLUE: "Minor",
    WarningLevel.YELLOW: "Moderate",
    WarningLevel.ORANGE: "Severe",
    WarningLevel.RED: "Extreme",
}


class Warning(models.Model):  # noqa: A001 — the domain word; the builtin is not used here
    """One CAP message of a warning: the first issue, an update, or the lift.

    ``replaces`` is the message in force it takes over from (none for the first);
    ``first`` is the series' first message, so a warning's whole history is one query.
    """

    incident = models.ForeignKey(
        "Incident",
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings",
    )
    msg_type = models.CharField(
        _("message type"), max_length=8, choices=MessageType.choices, default=MessageType.ALERT
    )
    state = models.CharField(
        _("state"), max_length=10, choices=WarningState.choices, default=WarningState.DRAFT
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    first = models.ForeignKey(
        "self",
        verbose_name=_("first message"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="series",
    )
    level = models.CharField(_("warning level"), max_length=8, choices=WarningLevel.choices)
    event = models.CharField(_("event type"), max_length=60)
    category = models.CharField(
        _("category"), max_length=10, choices=CapCategory.choices, default=CapCategory.MET
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.EXPECTED
    )
    certainty = models.CharField(
        _("certainty"), max_length=10, choices=Certainty.choices, default=Certainty.LIKELY
    )
    headline = models.CharField(_("headline"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    instruction = models.TextField(_("instructions"), blank=True)
    area_desc = models.CharField(_("area"), max_length=200)
    # The area: a GeoJSON Polygon in WGS84, or a circle (centre and radius), or both.
    area = models.JSONField(_("area polygon"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), null=True, blank=True)
    onset = models.DateTimeField(_("starts at"))
    expires = models.DateTimeField(_("ends at"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    drafted_by = user_field(_("drafted by"))
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    approved_by = user_field(_("approved by"), optional=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The units told when it was sent: those with teams or warehouses in the area and
    # those working on the incident.
    units = models.ManyToManyField(
        "routing.Department", verbose_name=_("units told"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-drafted_at", "-pk"]
        indexes = [models.Index(fields=["state", "expires"], name="emergency_warning_live")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires__gt=models.F("onset")), name="emergency_warning_ends_later"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(sent_at__isnull=False, approved_by__isnull=False),
                name="emergency_warning_sent_is_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.headline}"

    @property
    def series_id(self) -> int:
        return self.first_id or self.pk

    @property
    def drill(self) -> bool:
        incident = self.incident if self.incident_id else None
        return bool(incident is not None and incident.drill)

    @property
    def in_force(self) -> bool:
        """Sent, the latest of its series, not a lift, not yet expired."""
        return (
            self.state == WarningState.SENT
            and self.msg_type != MessageType.CANCEL
            and self.expires > timezone.now()
        )

    @property
    def cap_severity(self) -> str:
        return CAP_SEVERITY[WarningLevel(self.level)]
