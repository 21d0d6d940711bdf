"""Emergency command as rules the views and the API only call: opening an incident,
grouping cases, reports up the line, the incident log, and who may do what.

Each function takes ``*, actor``, checks who may act, writes in one transaction, adds a
line to the incident log (``log`` is its only writer) and, for a live incident, records
a case event on its case. Starting a plan and changing the level are in ``response``.
"""

import json
from datetime import datetime, timedelta

import shapely
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Role, User
from civicgrid.cases import events
from civicgrid.cases.access import grant_access
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import Case, CaseAccess, Channel, Status
from civicgrid.cases.scope import ScopeRule, refusal_for, sidecars_in
from civicgrid.cases.services import Intake, register_case
from civicgrid.regions.datum import Datum, InvalidCoordinates, to_wgs84
from civicgrid.routing.models import Department

from . import taxonomy
from .events import INCIDENT_CASE, INCIDENT_OPENED
from .models import (
    MAJOR_SEVERITIES,
    Incident,
    IncidentCase,
    IncidentStatus,
    LogEntry,
    LogKind,
    Report,
    ReportKind,
    Severity,
)

COMMAND_ROLES = (Role.COMMANDER,)
# Leaders read the command room's pages; units read the incidents they work on.
READ_ROLES = (Role.COMMANDER, Role.LEADER)
MAX_RADIUS_M = 200_000
MAX_TEXT = 4000

# Reporting deadlines in minutes (突发事件信息报送): the first report by phone within
# 30 minutes of the incident being opened, the written one within the hour for major
# and extremely serious incidents, each follow-up within ``follow_up`` of the report
# before it, the final report within ``final`` of the end of the response.
# ``settings.EMERGENCY_REPORT_MINUTES`` overrides any of them.
REPORT_MINUTES = {"first": 30, "written": 60, "follow_up": 120, "final": 7 * 24 * 60}


def report_minutes(kind: str) -> int:
    return {**REPORT_MINUTES, **getattr(settings, "EMERGENCY_REPORT_MINUTES", {})}[kind]


# --- who may act, who sees -----------------------------------------------------------


def _is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN)))


def command_refusal(user, incident: Incident | None = None, case: Case | None = None) -> str | None:
    """Why ``user`` may not command (``incident`` or an incident on ``case``), or None.

    The command room commands the incidents whose case lies in its regions; a drill has
    no case and any command room may run it.
    """
    if user is None or not user.is_authenticated:
        return _("Sign in first.")
    if _is_admin(user):
        return None
    if not user.has_role(*COMMAND_ROLES):
        return _("Only the emergency command room commands incidents.")
    case = case or (incident.case if incident is not None else None)
    if case is not None:
        return refusal_for(user, case, COMMAND_ROLES, ScopeRule.REGION)
    return None


def may_command(user, incident: Incident | None = None) -> bool:
    return command_refusal(user, incident) is None


def _require_command(user, incident: Incident | None = None, case: Case | None = None) -> None:
    why = command_refusal(user, incident, case)
    if why:
        raise ActionRefused(why)


def unit_ids(incident: Incident) -> set[int]:
    """The units working on ``incident``: lead, members, those given tasks and those
    whose teams were sent."""
    ids = set(incident.member_units.values_list("pk", flat=True))
    ids |= set(incident.tasks.values_list("unit_id", flat=True))
    ids |= set(
        incident.deployments.filter(team__unit__isnull=False).values_list(
            "team__unit_id", flat=True
        )
    )
    if incident.lead_unit_id:
        ids.add(incident.lead_unit_id)
    return ids


def may_view(user, incident: Incident) -> bool:
    """The command room in scope, leaders covering the case, and the staff of the units
    working on it."""
    if may_command(user, incident):
        return True
    if not user.is_authenticated:
        return False
    leading = incident.case is not None and user.has_role(Role.LEADER)
    if leading and refusal_for(user, incident.case, (Role.LEADER,), ScopeRule.REGION) is None:
        return True
    mine = set(user.department_ids)
    return bool(mine and user.has_role(Role.HANDLER) and mine & unit_ids(incident))


def _require_view(user, incident: Incident) -> None:
    if not may_view(user, incident):
        raise ActionRefused(_("This incident is not one you command or work on."))


def visible_incidents(user) -> QuerySet[Incident]:
    """The incidents ``user`` sees: the command room's (and drills), a leader's regions,
    a unit's incidents."""
    incidents = Incident.objects.select_related("case", "plan", "lead_unit", "commander")
    if _is_admin(user):
        return incidents
    if not user.is_authenticated:
        return incidents.none()
    query = Q(pk__in=[])
    if user.has_role(*COMMAND_ROLES):
        query |= sidecars_in(user.grants_for(*COMMAND_ROLES)) | Q(drill=True)
    if user.has_role(Role.LEADER):
        query |= sidecars_in(user.grants_for(Role.LEADER))
    mine = user.department_ids if user.has_role(Role.HANDLER) else []
    if mine:
        query |= (
            Q(lead_unit_id__in=mine)
            | Q(member_units__in=mine)
            | Q(pk__in=_task_incidents(mine))
            | Q(deployments__team__unit_id__in=mine)
        )
    return incidents.filter(query).distinct()


def _task_incidents(unit_ids_: list[int]):
    from .models import Task

    return Task.objects.filter(unit_id__in=unit_ids_).values("incident_id")


# --- the log -------------------------------------------------------------------------


def log(
    incident: Incident,
    kind: str,
    text: str,
    *,
    actor: Actor,
    data: dict | None = None,
    at: datetime | None = None,
) -> LogEntry:
    """Append one line to the incident log: the only place that writes one."""
    return LogEntry.objects.create(
        incident=incident,
        kind=kind,
        text=str(text)[:MAX_TEXT],
        actor=actor,
        data=data or {},
        at=at or timezone.now(),
    )


# The kinds a person writes by hand; the others are written by the services.
HAND_KINDS = (LogKind.ORDER, LogKind.DECISION, LogKind.RESOURCE, LogKind.NOTE)


def add_log_entry(incident: Incident, kind: str, text: str, *, actor: User) -> LogEntry:
    """An order, a decision, a resource move or a note, by the command room or the
    field (a unit working on the incident may add notes and resource moves)."""
    _require_view(actor, incident)
    if kind not in HAND_KINDS:
        raise InvalidAction(_("Choose what kind of log entry this is."), "kind")
    if not may_command(actor, incident) and kind in (LogKind.ORDER, LogKind.DECISION):
        raise ActionRefused(_("Only the command room gives orders and records decisions."))
    text = (text or "").strip()
    if not text:
        raise InvalidAction(_("Write what happened."), "text")
    if len(text) > MAX_TEXT:
        raise InvalidAction(_("A log entry is at most 4000 characters."), "text")
    if incident.status == IncidentStatus.ASSESSED:
        raise InvalidAction(_("This incident is closed after its assessment."))
    with transaction.atomic():
        return log(incident, kind, text, actor=actor)


# --- opening an incident and grouping cases ------------------------------------------


def check_area(area, datum: str = Datum.WGS84) -> dict | None:
    """A drawn affected area: a GeoJSON Polygon (or its JSON text), valid, in China,
    stored in WGS84 (a map on GCJ-02 tiles draws in GCJ-02)."""
    if area in (None, "", {}):
        return None
    if isinstance(area, str):
        try:
            area = json.loads(area)
        except ValueError:
            raise InvalidAction(_("The affected area is not GeoJSON."), "area") from None
    if isinstance(area, dict) and area.get("type") == "Feature":
        area = area.get("geometry")
    if not isinstance(area, dict) or area.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidAction(_("Draw the affected area as a polygon."), "area")
    try:
        geometry = shape(area)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise InvalidAction(_("The affected area is not GeoJSON."), "area") from None
    if geometry.is_empty or not geometry.is_valid:
        raise InvalidAction(
            _("The affected area is not a valid polygon (%(why)s).")
            % {"why": explain_validity(geometry)},
            "area",
        )
    minx, miny, maxx, maxy = geometry.bounds
    if minx < 72 or maxx > 138 or miny < 0.8 or maxy > 56:
        raise InvalidAction(_("The affected area lies outside China."), "area")
    if datum != Datum.WGS84:
        geometry = shapely.transform(
            geometry, lambda xy: [list(_wgs84(x, y, datum)) for x, y in xy]
        )
    return dict(mapping(geometry))


def _wgs84(lng, lat, datum: str) -> tuple[float, float]:
    try:
        return to_wgs84(float(lng), float(lat), datum)
    except InvalidCoordinates as exc:
        raise InvalidAction(str(exc), "datum") from None


def _check_point(lng, lat, datum: str = Datum.WGS84) -> tuple[float | None, float | None]:
    if lng in (None, "") and lat in (None, ""):
        return None, None
    try:
        lng, lat = float(lng), float(lat)
    except (TypeError, ValueError):
        raise InvalidAction(_("Give the place as longitude and latitude."), "lng") from None
    if not (72 <= lng <= 138 and 0.8 <= lat <= 56):
        raise InvalidAction(_("The place lies outside China."), "lng")
    return _wgs84(lng, lat, datum) if datum != Datum.WGS84 else (lng, lat)


def _check_radius(radius) -> int | None:
    if radius in (None, ""):
        return None
    try:
        radius = int(radius)
    except (TypeError, ValueError):
        raise InvalidAction(_("The radius is a whole number of metres."), "radius_m") from None
    if not 1 <= radius <= MAX_RADIUS_M:
        raise InvalidAction(_("The radius is between 1 m and 200 km."), "radius_m")
    return radius


def _units(ids) -> list[Department]:
    ids = [int(i) for i in ids or () if str(i).strip()]
    units = list(Department.objects.filter(pk__in=ids, active=True))
    if len(units) != len(set(ids)):
        raise InvalidAction(_("One of the units does not exist."), "member_units")
    return units


def open_incident(
    *,
    actor: User,
    title: str = "",
    type_code: str,
    severity: str,
    case: Case | None = None,
    drill: bool = False,
    address: str = "",
    lng=None,
    lat=None,
    radius_m=None,
    area=None,
    commander: User | None = None,
    lead_unit: Department | None = None,
    member_unit_ids=(),
    occurred_at: datetime | None = None,
    content: str = "",
    datum: str = Datum.WGS84,
) -> Incident:
    """Open an incident: from an existing ``case`` (an alert, a grid worker's report),
    which it attaches to; by the command room, which registers its case; or a drill,
    which has no case at all. The point and area are given in ``datum`` (a map on GCJ-02
    tiles) and stored in WGS84."""
    _require_command(actor, case=case)
    if drill and case is not None:
        raise InvalidAction(_("A drill never touches live cases; open it without a case."))
    if case is not None and case.status == Status.MERGED:
        raise InvalidAction(_("This case was merged into another; open the incident there."))
    if case is not None and Incident.objects.filter(case=case).exists():
        raise InvalidAction(_("This case is already an incident."))
    title = (title or (case.title if case is not None else "")).strip()
    if not title or len(title) > 120:
        raise InvalidAction(_("Give the incident a title of at most 120 characters."), "title")
    if type_code not in taxonomy.types():
        raise InvalidAction(_("Choose the type of incident."), "type_code")
    if severity not in Severity.values:
        raise InvalidAction(_("Choose the severity."), "severity")
    if datum not in Datum.values:
        raise InvalidAction(
            _("Unknown datum “%(datum)s”: use wgs84, gcj02 or bd09.") % {"datum": datum}, "datum"
        )
    datum_of_point: str = datum
    if lng in (None, "") and case is not None and case.lng is not None:
        lng, lat, datum_of_point = case.lng, case.lat, Datum.WGS84
    lng, lat = _check_point(lng, lat, datum_of_point)
    radius = _check_radius(radius_m)
    area = check_area(area, datum)
    if area is None and lng is None:
        raise InvalidAction(_("Put the incident on the map: a point or a drawn area."), "lng")
    if area is not None and lng is None:
        lng, lat = shape(area).representative_point().coords[0]
    if commander is not None and command_refusal(commander, case=case):
        raise InvalidAction(_("The commander must be on the command room's staff."), "commander")
    members = _units(member_unit_ids)
    now = timezone.now()
    with transaction.atomic():
        if case is None and not drill:
            case = _register_case(
                title=title, content=content, lng=lng, lat=lat, address=address, actor=actor
            )
            # The command room registers for its own regions only.
            _require_command(actor, case=case)
        try:
            with transaction.atomic():
                incident = Incident.objects.create(
                    case=case,
                    drill=drill,
                    title=title,
                    type_code=type_code,
                    severity=severity,
                    address=(address or (case.address if case else ""))[:200],
                    lng=lng,
                    lat=lat,
                    radius_m=radius,
                    area=area,
                    commander=commander or actor,
                    lead_unit=lead_unit,
                    occurred_at=occurred_at or now,
                    created_at=now,
                    created_by=actor,
                )
        except IntegrityError:
            raise InvalidAction(_("This case is already an incident.")) from None
        incident.member_units.set(members)
        log(
            incident,
            LogKind.OPENED,
            _("Incident opened: %(type)s, %(severity)s.")
            % {"type": incident.type_name, "severity": incident.get_severity_display()},
            actor=actor,
            at=now,
        )
        if case is not None:
            events.record(case, INCIDENT_OPENED, actor=actor, data={"incident": title})
            share(incident, actor=actor)
    return incident


def _register_case(*, title, content, lng, lat, address, actor: User) -> Case:
    """The incident's own case, registered as the system (the command room is not an
    intake desk); the command room is then checked against its place."""
    intake = Intake(
        channel=Channel.API,
        title=title,
        content=(content or title).strip(),
        lng=lng,
        lat=lat,
        address=address or "",
        extra={"emergency": True},
    )
    return register_case(intake, actor=None)


def share(incident: Incident, *, actor: Actor) -> None:
    """Let every unit working on the incident, and its commander, see its case and the
    cases grouped under it (``CaseAccess``, reason "incident command"); the units of the
    grouped cases see the incident's case. Nothing for a drill."""
    if incident.drill:
        return
    links = list(incident.links.select_related("case"))
    units = unit_ids(incident)
    for link in links:
        if link.case.main_department_id:
            units.add(link.case.main_department_id)
        units.update(link.case.co_departments.values_list("pk", flat=True))
    units.discard(None)
    departments = list(Department.objects.filter(pk__in=units))
    people = [incident.commander] if incident.commander else []
    for case in [incident.case, *(link.case for link in links)]:
        if case is not None:
            grant_access(
                case,
                reason=CaseAccess.Reason.INCIDENT,
                actor=actor,
                departments=departments,
                users=people,
            )


def group_case(incident: Incident, case: Case, *, actor: User) -> IncidentCase:
    """Group ``case`` under ``incident``; its units and the incident's see each other's."""
    _require_command(actor, incident)
    if incident.drill:
        raise InvalidAction(_("A drill never touches live cases."))
    if refusal_for(actor, case, COMMAND_ROLES, ScopeRule.REGION) and not _is_admin(actor):
        raise ActionRefused(_("This case is outside the regions you command."))
    if case.pk == incident.case_id:
        raise InvalidAction(_("This is the incident's own case."), "case")
    if not incident.is_open:
        raise InvalidAction(_("The response has ended; no more cases are grouped."))
    try:
        with transaction.atomic():
            link = IncidentCase.objects.create(incident=incident, case=case, added_by=actor)
            log(
                incident,
                LogKind.CASE,
                _("Case %(number)s grouped: %(title)s")
                % {"number": case.number, "title": case.title},
                actor=actor,
                data={"case": case.number},
            )
            events.record(case, INCIDENT_CASE, actor=actor, data={"incident": incident.title})
            share(incident, actor=actor)
    except IntegrityError:
        raise InvalidAction(_("This case is already grouped under the incident."), "case") from None
    return link


# --- reports -------------------------------------------------------------------------


def report_due(incident: Incident, kind: str, *, now: datetime | None = None) -> datetime | None:
    """When the next report of ``kind`` is due; None when none is required."""
    if kind == ReportKind.FIRST:
        return incident.created_at + timedelta(minutes=report_minutes("first"))
    if kind == ReportKind.WRITTEN:
        if incident.severity not in MAJOR_SEVERITIES:
            return None
        return incident.created_at + timedelta(minutes=report_minutes("written"))
    if kind == ReportKind.FOLLOW_UP:
        last = incident.reports.aggregate(last=Max("filed_at"))["last"]
        return (last or incident.created_at) + timedelta(minutes=report_minutes("follow_up"))
    if kind == ReportKind.FINAL:
        if incident.ended_at is None:
            return None
        return incident.ended_at + timedelta(minutes=report_minutes("final"))
    return None


def expected_reports(incident: Incident, *, now: datetime | None = None) -> list[dict]:
    """The reports still owed, with their due times and whether they are overdue."""
    now = now or timezone.now()
    filed = set(incident.reports.values_list("kind", flat=True))
    owed = []
    kinds = [ReportKind.FIRST, ReportKind.WRITTEN]
    if incident.is_open:
        kinds.append(ReportKind.FOLLOW_UP)
    else:
        kinds.append(ReportKind.FINAL)
    for kind in kinds:
        if kind != ReportKind.FOLLOW_UP and kind in filed:
            continue
        if kind == ReportKind.FOLLOW_UP and ReportKind.FIRST not in filed:
            continue
        due = report_due(incident, kind)
        if due is not None:
            owed.append(
                {"kind": kind, "label": ReportKind(kind).label, "due": due, "overdue": due < now}
            )
    return owed


def file_report(
    incident: Incident, kind: str, text: str, *, actor: User, now: datetime | None = None
) -> Report:
    """File a report: the first (phone), the written one, the next numbered follow-up
    or the final one; a report after its due time is flagged late."""
    _require_command(actor, incident)
    if kind not in ReportKind.values:
        raise InvalidAction(_("Choose the kind of report."), "kind")
    text = (text or "").strip()
    if not text:
        raise InvalidAction(_("Write the report."), "text")
    if len(text) > MAX_TEXT:
        raise InvalidAction(_("A report is at most 4000 characters."), "text")
    now = now or timezone.now()
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status == IncidentStatus.ASSESSED:
            raise InvalidAction(_("This incident is closed after its assessment."))
        have = incident.reports.filter(kind=kind)
        if kind != ReportKind.FOLLOW_UP and have.exists():
            raise InvalidAction(
                _("The %(kind)s was filed already; file a follow-up report.")
                % {"kind": ReportKind(kind).label},
                "kind",
            )
        if kind == ReportKind.FINAL and incident.is_open:
            raise InvalidAction(_("End the response before filing the final report."), "kind")
        if (
            kind == ReportKind.FOLLOW_UP
            and not incident.reports.filter(kind=ReportKind.FIRST).exists()
        ):
            raise InvalidAction(_("File the first report before any follow-up."), "kind")
        number = (
            (have.aggregate(n=Max("number"))["n"] or 0) + 1 if kind == ReportKind.FOLLOW_UP else 1
        )
        due = report_due(incident, kind, now=now)
        report = Report.objects.create(
            incident=incident,
            kind=kind,
            number=number,
            text=text,
            author=actor,
            filed_at=now,
            due_at=due,
            late=bool(due and now > due),
        )
        line = _("%(report)s filed") % {"report": str(report)}
        if report.late:
            line += " · " + _("late")
        log(
            incident,
            LogKind.REPORT,
            f"{line}: {text}",
            actor=actor,
            data={"report": report.pk, "late": report.late},
            at=now,
        )
    return report
