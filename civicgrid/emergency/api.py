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
from civicgrid.cases.lifecycle import ActionRefused
from civicgrid.core.api import ERRORS, Input

from . import plans, resourcing, response, services
from .models import Incident, Plan, Task
from .resources import Deployment, Item, Receipt, Shipment, Stock, Team, Warehouse

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


# --- resources -----------------------------------------------------------------------


class NearestFilter(Input):
    kind: str = Field("teams", description="teams, warehouses, experts or shelters.", max_length=12)
    skill: str = Field("", description="Teams: a skill keyword, e.g. flood.", max_length=40)
    item: str = Field("", description="Warehouses: the material code held.", max_length=8)
    field: str = Field("", description="Experts: their field.", max_length=60)
    limit: int = Field(10, ge=1, le=resourcing.MAX_RESULTS)


class NearestResourceOut(Schema):
    kind: str
    id: int = Field(description="The team, warehouse, expert or shelter.")
    name: str
    lng: float
    lat: float
    distance_km: float = Field(description="Straight-line (great-circle) distance.")
    travel_min: float = Field(
        description="Road travel time in minutes: from the routing table when it has the "
        "pair of regions (travel_source 'table'), else an estimate (travel_source "
        "'estimate'): the distance times a detour factor, at the speed of each road class "
        "(EMERGENCY_ROAD)."
    )
    travel_source: str = Field("estimate", description="'table' (the routing table) or 'estimate'.")
    detail: str = Field(description="Skills and size, stock held, field, or capacity.")
    quantity: int | None = Field(None, description="Warehouses: the quantity held.")


class CircleOut(Schema):
    minutes: int
    radius_m: int


class NearestOut(Schema):
    incident: int
    lng: float
    lat: float
    circles: list[CircleOut] = Field(description="The 1-3-5 minute response circles.")
    resources: list[NearestResourceOut]


def _resource_row(kind: str, row) -> dict:
    if kind == "warehouses":
        wh = row.warehouse
        return {
            "kind": kind,
            "id": wh.pk,
            "name": wh.name,
            "lng": wh.lng,
            "lat": wh.lat,
            "distance_km": row.distance_km,
            "travel_min": row.travel_min,
            "travel_source": row.travel_source,
            "detail": f"{row.item.name} {row.quantity} {row.item.unit_of_measure}",
            "quantity": row.quantity,
        }
    detail = {
        "teams": lambda t: f"{', '.join(t.skills)} · {t.size}",
        "experts": lambda e: e.field,
        "shelters": lambda s: f"{s.capacity} · {s.level}",
    }[kind](row)
    return {
        "kind": kind,
        "id": row.pk,
        "name": row.name,
        "lng": row.lng,
        "lat": row.lat,
        "distance_km": row.distance_km,
        "travel_min": row.travel_min,
        "travel_source": row.travel_source,
        "detail": detail,
    }


@router.get(
    "/incidents/{incident_id}/nearest",
    response={200: NearestOut, **ERRORS},
    summary="The nearest suitable resources",
)
def nearest(request: HttpRequest, incident_id: int, filters: Query[NearestFilter]):
    """Ranked by straight-line distance from the incident's point, nearest first."""
    incident = _incident(request, incident_id)
    rows = resourcing.nearest(
        incident,
        filters.kind,
        actor=_caller(request),
        skill=filters.skill,
        item=filters.item,
        field=filters.field,
        limit=filters.limit,
    )
    return {
        "incident": incident.pk,
        "lng": incident.lng,
        "lat": incident.lat,
        "circles": resourcing.circles(),
        "resources": [_resource_row(filters.kind, r) for r in rows],
    }


class DeploymentOut(Schema):
    id: int
    team: str
    status: str = Field(description="sent, acknowledged, departed or arrived.")
    distance_km: float | None
    sent_at: datetime
    acknowledged_at: datetime | None
    departed_at: datetime | None
    arrived_at: datetime | None

    @staticmethod
    def resolve_team(d: Deployment) -> str:
        return d.team.name


class DeploymentIn(Input):
    team: int = Field(description="The team's id (from /nearest).")


@router.get(
    "/incidents/{incident_id}/deployments",
    response={200: list[DeploymentOut], **ERRORS},
    summary="Teams sent to an incident",
)
def list_deployments(request: HttpRequest, incident_id: int):
    return list(_incident(request, incident_id).deployments.select_related("team"))


@router.post(
    "/incidents/{incident_id}/deployments",
    response={200: DeploymentOut, **ERRORS},
    summary="Send a team",
)
def deploy(request: HttpRequest, incident_id: int, body: DeploymentIn):
    incident = _incident(request, incident_id)
    team = Team.objects.filter(pk=body.team).first()
    if team is None:
        raise not_found(_("There is no such team."))
    return resourcing.deploy(incident, team, actor=_caller(request))


@router.post(
    "/deployments/{deployment_id}/{move}",
    response={200: DeploymentOut, **ERRORS},
    summary="Acknowledge, depart or arrive",
)
def move_deployment(request: HttpRequest, deployment_id: int, move: str):
    """The team's unit or the command room: acknowledge, depart, arrive — in that order."""
    user = _caller(request)
    found = Deployment.objects.select_related("incident", "team").filter(pk=deployment_id).first()
    if found is None or not (
        services.may_view(user, found.incident) or resourcing.may_move_deployment(user, found)
    ):
        raise not_found(_("There is no such deployment that you can see."))
    return resourcing.move_deployment(found, move[:12], actor=user)


class ShipmentIn(Input):
    warehouse: int = Field(description="The warehouse's id.")
    item: str = Field(description="The material code.", max_length=8)
    quantity: int = Field(ge=1, le=resourcing.MAX_QUANTITY)


class ShipmentOut(Schema):
    id: int
    warehouse: str
    item: str
    quantity: int
    shipped_at: datetime
    left: int = Field(description="What the warehouse still holds of the item.")

    @staticmethod
    def resolve_warehouse(s: Shipment) -> str:
        return s.warehouse.name

    @staticmethod
    def resolve_item(s: Shipment) -> str:
        return s.item.code

    @staticmethod
    def resolve_left(s: Shipment) -> int:
        stock = Stock.objects.filter(warehouse=s.warehouse, item=s.item).first()
        return stock.quantity if stock else 0


@router.post(
    "/incidents/{incident_id}/shipments",
    response={200: ShipmentOut, **ERRORS},
    summary="Ship stock to an incident",
)
def ship(request: HttpRequest, incident_id: int, body: ShipmentIn):
    """Of two shipments taking the last units, exactly one goes through."""
    incident = _incident(request, incident_id)
    warehouse = Warehouse.objects.filter(pk=body.warehouse).first()
    item = Item.objects.filter(code=body.item).first()
    if warehouse is None or item is None:
        raise not_found(_("There is no such warehouse or material."))
    return resourcing.ship(incident, warehouse, item, body.quantity, actor=_caller(request))


class StockOut(Schema):
    warehouse_id: int
    warehouse: str
    item: str
    name: str
    quantity: int
    minimum: int
    low: bool

    @staticmethod
    def resolve_warehouse(s: Stock) -> str:
        return s.warehouse.name

    @staticmethod
    def resolve_item(s: Stock) -> str:
        return s.item.code

    @staticmethod
    def resolve_name(s: Stock) -> str:
        return s.item.name


class StockFilter(Input):
    item: str = Field("", description="Only this material code.", max_length=8)
    low_only: bool = Field(False, description="Only stock below its minimum level.")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


@router.get("/stock", response={200: list[StockOut], **ERRORS}, summary="Stock by warehouse")
def stock(request: HttpRequest, filters: Query[StockFilter]):
    """For the command room and leaders: what each warehouse holds; low stock first."""
    user = _caller(request)
    if services.command_refusal(user) and not user.has_role("leader"):
        raise ActionRefused(_("Only the emergency command room reads the stock."))
    rows = (
        resourcing.low_stock()
        if filters.low_only
        else Stock.objects.select_related("warehouse", "item").order_by(
            "warehouse__name", "item__code"
        )
    )
    if filters.item:
        rows = rows.filter(item__code=filters.item)
    return list(rows[: filters.limit])


class ReceiptIn(Input):
    item: str = Field(description="The material code (8 digits).", max_length=8)
    quantity: int = Field(ge=1, le=resourcing.MAX_QUANTITY)
    source: str = Field("", description="Supplier, donation or transfer.", max_length=120)
    note: str = Field("", max_length=300)


class ReceiptOut(Schema):
    id: int
    warehouse: str
    item: str
    quantity: int
    stock_after: int = Field(description="What the warehouse holds of the item now.")
    received_at: datetime

    @staticmethod
    def resolve_warehouse(r: Receipt) -> str:
        return r.warehouse.name

    @staticmethod
    def resolve_item(r: Receipt) -> str:
        return r.item.code


@router.post(
    "/warehouses/{warehouse_id}/receipts",
    response={200: ReceiptOut, **ERRORS},
    summary="Record stock received (入库)",
)
def receive(request: HttpRequest, warehouse_id: int, body: ReceiptIn):
    """The warehouse's unit or the command room; the stock rises in the same transaction."""
    user = _caller(request)
    warehouse = resourcing.kept_warehouses(user).filter(pk=warehouse_id).first()
    if warehouse is None:
        raise not_found(_("There is no such warehouse that you keep."))
    item = Item.objects.filter(code=body.item).first()
    if item is None:
        raise not_found(_("There is no such material."))
    return resourcing.receive(
        warehouse, item, body.quantity, actor=user, source=body.source, note=body.note
    )


from .warning_api import router as warning_router  # noqa: E402  (warnings: their own file)

router.add_router("/warnings", warning_router)
