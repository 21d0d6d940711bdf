"""Emergency command: incidents, their reports and log, plans (预案) and their tasks.

An incident is a sidecar of a case (``Incident.case``), never a second record of the
same event — except a drill (演练), which has no case at all so it never touches live
queues. The incident log (``LogEntry``) is append-only: ``services.log`` is its only
writer, and a saved entry refuses to change or go.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import user_field

from . import taxonomy


class Severity(models.TextChoices):
    """突发事件分级 (国家突发公共事件总体应急预案): I 特别重大 … IV 一般."""

    GRAVE = "grave", _("extremely serious (特别重大)")
    MAJOR = "major", _("serious (重大)")
    LARGER = "larger", _("relatively serious (较大)")
    GENERAL = "general", _("general (一般)")


# Severities that need the written report within the hour (重大 and above).
MAJOR_SEVERITIES = (Severity.GRAVE, Severity.MAJOR)


class ResponseLevel(models.IntegerChoices):
    """应急响应级别: I is the highest."""

    I = 1, _("level I")  # noqa: E741
    II = 2, _("level II")
    III = 3, _("level III")
    IV = 4, _("level IV")


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("reported")
    RESPONDING = "responding", _("responding")
    ENDED = "ended", _("response ended")
    ASSESSED = "assessed", _("assessed")


class Incident(models.Model):
    """One emergency: what, how grave, where (a point and radius or a drawn area), who
    commands, which units lead and help, the response level and the plan started.

    ``version`` goes up on every command decision, so two commanders acting on the same
    view of the incident cannot both win (``services`` checks it under a row lock).
    """

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident",
    )
    drill = models.BooleanField(_("drill"), default=False)
    title = models.CharField(_("title"), max_length=120)
    type_code = models.CharField(_("type"), max_length=8)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    address = models.CharField(_("place"), max_length=200, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("affected radius (m)"), null=True, blank=True)
    # A GeoJSON Polygon in WGS84, drawn on the map (checked with Shapely on the way in).
    area = models.JSONField(_("affected area"), null=True, blank=True)
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("commander"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commanded_incidents",
    )
    lead_unit = models.ForeignKey(
        "routing.Department",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_incidents",
    )
    member_units = models.ManyToManyField(
        "routing.Department",
        verbose_name=_("member units"),
        blank=True,
        related_name="member_incidents",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    level = models.PositiveSmallIntegerField(
        _("response level"), choices=ResponseLevel.choices, null=True, blank=True
    )
    plan = models.ForeignKey(
        "Plan",
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("response ended at"), null=True, blank=True)
    assessment = models.TextField(_("assessment"), blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "drill"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(drill=True, case__isnull=True) | Q(drill=False, case__isnull=False),
                name="emergency_incident_case_unless_drill",
            )
        ]

    def __str__(self) -> str:
        mark = f"[{_('DRILL')}] " if self.drill else ""
        return f"{mark}{self.title}"

    @property
    def type_name(self) -> str:
        return taxonomy.name(self.type_code)

    @property
    def level_label(self) -> str:
        return str(ResponseLevel(self.level).label) if self.level else ""

    @property
    def is_open(self) -> bool:
        return self.status in (IncidentStatus.REPORTED, IncidentStatus.RESPONDING)


class IncidentCase(models.Model):
    """A case grouped under an incident (a flooded street's calls, a grid worker's report)."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="links"
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="incident_links",
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case of an incident")
        verbose_name_plural = _("cases of incidents")
        constraints = [
            models.UniqueConstraint(fields=["incident", "case"], name="emergency_case_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident} · {self.case}"


class ReportKind(models.TextChoices):
    FIRST = "first", _("first report (phone)")
    WRITTEN = "written", _("written report")
    FOLLOW_UP = "follow_up", _("follow-up report")
    FINAL = "final", _("final report")


class Report(models.Model):
    """One report up the line (信息报送): dated, signed, flagged when it came late."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    text = models.TextField(_("text"))
    author = user_field(_("author"))
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        ordering = ["filed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "number"], name="emergency_report_number_once"
            )
        ]

    def __str__(self) -> str:
        if self.kind == ReportKind.FOLLOW_UP:
            return f"{self.get_kind_display()} {self.number}"
        return str(self.get_kind_display())


class LogKind(models.TextChoices):
    OPENED = "opened", _("incident opened")
    ORDER = "order", _("order given")
    REPORT = "report", _("report filed")
    RESOURCE = "resource", _("resource moved")
    DECISION = "decision", _("decision taken")
    LEVEL = "level", _("level changed")
    TASK = "task", _("task update")
    CASE = "case", _("case grouped")
    STATUS = "status", _("status changed")
    NOTE = "note", _("field note")


class AppendOnly(Exception):
    """Raised when something tries to change or delete an incident log entry."""


class LogEntry(models.Model):
    """One line of the incident log, shared by the command room and the field."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="log"
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = user_field(_("by"), optional=True)
    kind = models.CharField(_("kind"), max_length=10, choices=LogKind.choices)
    text = models.TextField(_("text"))
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("incident log entry")
        verbose_name_plural = _("incident log")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.text[:60]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("incident log entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("incident log entries are never deleted")


# --- plans ---------------------------------------------------------------------------


class Plan(models.Model):
    """An emergency plan (应急预案) as data: which incidents it covers, its levels and
    their triggers, its ordered steps, what it needs and when it ends."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    type_codes = models.JSONField(_("incident types covered"), default=list, blank=True)
    places = models.JSONField(_("places covered"), default=list, blank=True)
    teams = models.TextField(_("teams required"), blank=True)
    materials = models.TextField(_("materials required"), blank=True)
    shelters = models.TextField(_("shelters required"), blank=True)
    termination = models.TextField(_("termination conditions"), blank=True)
    drilled_on = models.DateField(_("last drilled on"), null=True, blank=True)
    revised_on = models.DateField(_("last revised on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TriggerKind(models.TextChoices):
    MANUAL = "manual", _("manual")
    AUTOMATIC = "automatic", _("automatic, from alert values")


class PlanLevel(models.Model):
    """A response level a plan defines, how it is triggered and which units it calls."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="levels"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=ResponseLevel.choices)
    trigger = models.CharField(
        _("trigger"), max_length=10, choices=TriggerKind.choices, default=TriggerKind.MANUAL
    )
    # An automatic trigger: an alert value (``values`` of a platform alert) at or above.
    trigger_key = models.CharField(_("alert value"), max_length=40, blank=True)
    trigger_at_least = models.FloatField(_("at least"), null=True, blank=True)
    condition = models.CharField(_("trigger condition"), max_length=300, blank=True)
    lead_unit = models.ForeignKey(
        "routing.Department",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member_units = models.ManyToManyField(
        "routing.Department", verbose_name=_("member units"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("plan level")
        verbose_name_plural = _("plan levels")
        ordering = ["plan", "-level"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "level"], name="emergency_plan_level_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {ResponseLevel(self.level).label}"


class PlanStep(models.Model):
    """One step of a plan: the unit that owns it, the measure and its time limit, and
    the levels it belongs to. ``key`` names it across levels, so a level change keeps
    the tasks of steps both levels share."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="steps"
    )
    key = models.SlugField(_("key"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    owner = models.ForeignKey(
        "routing.Department",
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure = models.TextField(_("measure"))
    limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"))
    levels = models.JSONField(_("levels"), default=list)

    class Meta:
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="emergency_step_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.measure[:40]}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("waiting for the unit")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled (level changed)")
    CLOSED = "closed", _("closed (response ended)")


LIVE_TASKS = (TaskStatus.OPEN, TaskStatus.ACKNOWLEDGED)


class Task(models.Model):
    """A plan step given to its unit on one incident, with its deadline."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="tasks"
    )
    step = models.ForeignKey(
        PlanStep,
        verbose_name=_("plan step"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    key = models.SlugField(_("key"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    unit = models.ForeignKey(
        "routing.Department", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    measure = models.TextField(_("measure"))
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    created_at = models.DateTimeField(_("given at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = user_field(_("acknowledged by"), optional=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = user_field(_("done by"), optional=True)
    ended_at = models.DateTimeField(_("cancelled or closed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("emergency task")
        verbose_name_plural = _("emergency tasks")
        ordering = ["incident", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "key"],
                condition=Q(status__in=["open", "acknowledged", "done"]),
                name="emergency_one_live_task_per_step",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.measure[:40]}"

    @property
    def overdue(self) -> bool:
        return self.status in LIVE_TASKS and self.due_at < timezone.now()


from .resources import (  # noqa: E402,F401  (the resources' models live in their own file)
    Deployment,
    DeploymentStatus,
    Expert,
    Item,
    Receipt,
    Shelter,
    Shipment,
    Stock,
    Team,
    TravelTime,
    Warehouse,
)
from .warning import Warning  # noqa: E402,F401  (warnings and their CAP messages)
