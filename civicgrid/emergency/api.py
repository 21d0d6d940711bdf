"""Emergency command for other systems: the incidents the caller sees, starting a plan,
changing the level, filing reports, acknowledging tasks, plans as JSON.

A token acts as its user does on the pages (``services``); refusals are the API's usual
errors (``LifecycleError`` → 400/403/409). A drill says so (``drill: true``).
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from civicgrid.cases.api import not_found
from civicgrid.core.api import ERRORS, Input

from . import plans, response, services
from .models import Incident, Plan, Task

router = Router(tags=["emergency"])
# Commands also answer 409 when another commander changed the incident meanwhile.
COMMAND_ERRORS = {**ERRORS, 409: ERRORS[400]}
MAX_LIMIT = 200


def _caller(request: HttpRequest):
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth


class EmergencyTaskOut(Schema):
    id: int
    position: int
    unit: str
    measure: str
    status: str
    due_at: datetime
    acknowledged_at: datetime | None
    done_at: datetime | None

    @staticmethod
    def resolve_unit(t: Task) -> str:
        return t.unit.name


class IncidentOut(Schema):
    id: int
    drill: bool = Field(description="An exercise (演练): it has no case and touches none.")
    case: str | None = Field(description="The number of the incident's case.")
    title: str
    type_code: str
    type_name: str
    severity: str
    status: str = Field(description="reported, responding, ended or assessed.")
    level: int | None = Field(description="Response level 1 (I, highest) to 4 (IV).")
    plan: str | None = Field(description="The code of the plan started.")
    version: int = Field(description="Send it back with a command: a stale one is refused.")
    lng: float | None
    lat: float | None
    radius_m: int | None
    created_at: datetime

    @staticmethod
    def resolve_case(i: Incident) -> str | None:
        return i.case.number if i.case else None

    @staticmethod
    def resolve_plan(i: Incident) -> str | None:
        return i.plan.code if i.plan else None


class IncidentDetailOut(IncidentOut):
    tasks: list[EmergencyTaskOut]

    @staticmethod
    def resolve_tasks(i: Incident) -> list:
        return list(i.tasks.select_related("unit"))


class IncidentFilter(Input):
    open_only: bool = True
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    found = services.visible_incidents(_caller(request)).filter(pk=incident_id).first()
    if found is None:
        raise not_found(_("There is no such incident that you can see."))
    return found


@router.get("/incidents", response={200: list[IncidentOut], **ERRORS}, summary="Incidents")
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]):
    """The incidents the caller commands or works on, newest first."""
    rows = services.visible_incidents(_caller(request))
    if filters.open_only:
        rows = rows.filter(status__in=("reported", "responding"))
    return list(rows.order_by("-created_at", "-pk")[: filters.limit])


@router.get(
    "/incidents/{incident_id}", response={200: IncidentDetailOut, **ERRORS}, summary="One incident"
)
def get_incident(request: HttpRequest, incident_id: int):
    return _incident(request, incident_id)


class StartIn(Input):
    plan: str = Field(description="The plan's code.", max_length=40)
    level: int = Field(description="1 (I) to 4 (IV).")
    version: int


@router.post(
    "/incidents/{incident_id}/plan",
    response={200: IncidentDetailOut, **COMMAND_ERRORS},
    summary="Start a plan at a level",
)
def start_plan(request: HttpRequest, incident_id: int, body: StartIn):
    """One click: a task per step of the level for its unit; the units are told."""
    incident = _incident(request, incident_id)
    plan = Plan.objects.filter(code=body.plan).first()
    if plan is None:
        raise not_found(_("There is no plan with this code."))
    response.start_plan(incident, plan, body.level, actor=_caller(request), version=body.version)
    return _incident(request, incident_id)


class LevelIn(Input):
    level: int = Field(description="1 (I) to 4 (IV).")
    version: int
    reason: str = Field("", max_length=500)


@router.post(
    "/incidents/{incident_id}/level",
    response={200: IncidentDetailOut, **COMMAND_ERRORS},
    summary="Raise or lower the response level",
)
def change_level(request: HttpRequest, incident_id: int, body: LevelIn):
    """Of two commanders sending the same version, exactly one wins."""
    incident = _incident(request, incident_id)
    response.change_level(
        incident, body.level, actor=_caller(request), version=body.version, reason=body.reason
    )
    return _incident(request, incident_id)


class ReportIn(Input):
    kind: str = Field(description="first, written, follow_up or final.", max_length=10)
    text: str = Field(max_length=4000)


class ReportOut(Schema):
    kind: str
    number: int
    filed_at: datetime
    due_at: datetime | None
    late: bool


@router.post(
    "/incidents/{incident_id}/reports",
    response={200: ReportOut, **ERRORS},
    summary="File a report",
)
def file_report(request: HttpRequest, incident_id: int, body: ReportIn):
    incident = _incident(request, incident_id)
    return services.file_report(incident, body.kind, body.text, actor=_caller(request))


@router.post(
    "/tasks/{task_id}/acknowledge",
    response={200: EmergencyTaskOut, **ERRORS},
    summary="Acknowledge a task",
)
def acknowledge(request: HttpRequest, task_id: int):
    """The unit's staff acknowledge the task given to their unit."""
    user = _caller(request)
    task = Task.objects.select_related("incident", "unit").filter(pk=task_id).first()
    if task is None or not services.may_view(user, task.incident):
        raise not_found(_("There is no such task that you can see."))
    return response.acknowledge(task, actor=user)


@router.get("/plans/{code}", response={200: dict, **ERRORS}, summary="A plan as JSON")
def export_plan(request: HttpRequest, code: str):
    """The plan in the import format (``docs/emergency.md``)."""
    user = _caller(request)
    if services.command_refusal(user) and not user.has_role("leader"):
        raise not_found(_("There is no plan with this code."))
    plan = Plan.objects.filter(code=code[:40]).first()
    if plan is None:
        raise not_found(_("There is no plan with this code."))
    return plans.export_plan(plan)


class PlanIn(Schema):
    plan: dict = Field(description="The plan in the format of GET /plans/{code}.")


class PlanOut(Schema):
    code: str
    name: str


@router.post("/plans", response={200: PlanOut, **ERRORS}, summary="Import a plan")
def import_plan(request: HttpRequest, body: PlanIn):
    """Create or replace (same code) a plan; nothing is written unless all of it is right."""
    return plans.import_plan(body.plan, actor=_caller(request))
