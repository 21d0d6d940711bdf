"""Supervision for other systems: the open orders, a case's orders, issuing one, and a
unit's response. Refusals are the API's usual errors (``LifecycleError`` → 400/403/409)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from civicgrid.accounts.pages import may_open
from civicgrid.cases.api import not_found, visible_case
from civicgrid.cases.models import Case
from civicgrid.cases.queries import below_district_own_level
from civicgrid.cases.scope import visible_cases
from civicgrid.core.api import ERRORS, Input
from civicgrid.routing.models import Department

from . import projects, services
from .models import Level, Milestone, Order, OrderStatus, Project, ProjectStatus

router = Router(tags=["supervision"])
MAX_LIMIT = 200


def _caller(request: HttpRequest):
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth


class OrderOut(Schema):
    id: int
    case: str = Field(description="Case number.")
    unit: str = Field(description="Department code.")
    unit_name: str
    level: Level
    status: OrderStatus
    issued_at: datetime
    automatic: bool = Field(description="Issued by the escalation rule.")
    due_at: datetime = Field(description="The unit's response is due by then.")
    late: bool = Field(description="Not responded to and past its deadline.")
    reason: str
    public: bool
    response: str
    done_by: date | None
    responded_at: datetime | None

    @staticmethod
    def resolve_case(order: Order) -> str:
        return order.case.number

    @staticmethod
    def resolve_unit(order: Order) -> str:
        return order.department.code

    @staticmethod
    def resolve_unit_name(order: Order) -> str:
        return order.department.name

    @staticmethod
    def resolve_automatic(order: Order) -> bool:
        return order.issued_by_id is None

    @staticmethod
    def resolve_late(order: Order) -> bool:
        return order.late()


class OrderFilterIn(Input):
    level: Level | None = None
    unit: str | None = Field(None, max_length=40, description="Department code.")
    status: OrderStatus | None = Field(None, description="Empty: every open order.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("/orders", response={200: list[OrderOut], **ERRORS}, summary="Supervision orders")
def list_orders(request: HttpRequest, filters: Query[OrderFilterIn]):
    """Orders on cases the caller sees (every open one unless ``status`` says), the most
    pressing first."""
    rows = services.orders_by_pressure(
        Order.objects.filter(status=filters.status) if filters.status else None
    ).filter(
        case__in=below_district_own_level(
            _caller(request), visible_cases(_caller(request), Case.objects.all())
        )
    )
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.unit:
        rows = rows.filter(department__code=filters.unit)
    return list(rows[filters.offset : filters.offset + filters.limit])


@router.get(
    "/cases/{number}/orders",
    response={200: list[OrderOut], **ERRORS},
    summary="A case's supervision orders",
)
def case_orders(request: HttpRequest, number: str):
    case = visible_case(request, number)
    return list(Order.objects.filter(case=case).select_related("case", "department"))


class IssueIn(Input):
    unit: str = Field(
        max_length=40, description="Department code: the case's main or co-handling unit."
    )
    level: Level
    reason: str = Field(max_length=2000)
    public: bool = Field(False, description="Listed supervision only: shown on the results page.")


@router.post(
    "/cases/{number}/orders",
    response={201: OrderOut, **ERRORS},
    summary="Issue a supervision order",
)
def issue_order(request: HttpRequest, number: str, payload: IssueIn):
    case = visible_case(request, number)
    unit = Department.objects.filter(code=payload.unit).first()
    if unit is None:
        raise not_found(_("There is no unit with code %(code)s.") % {"code": payload.unit})
    order = services.issue(
        case,
        unit,
        payload.level,
        actor=_caller(request),
        reason=payload.reason,
        public=payload.public,
    )
    return Status(201, order)


class RespondIn(Input):
    response: str = Field(max_length=2000, description="What the unit has done.")
    done_by: date = Field(description="By when it is (or will be) done.")


@router.post(
    "/orders/{order_id}/response",
    response={200: OrderOut, **ERRORS},
    summary="The unit's response to an order",
)
def respond_to_order(request: HttpRequest, order_id: int, payload: RespondIn):
    order = Order.objects.select_related("case", "department").filter(pk=order_id).first()
    if (
        order is None
        or not visible_cases(_caller(request), Case.objects.filter(pk=order.case_id)).exists()
    ):
        raise not_found(_("There is no supervision order %(id)s.") % {"id": order_id})
    return services.respond(
        order, actor=_caller(request), response=payload.response, done_by=payload.done_by
    )


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: date
    done_at: datetime | None


class ProjectOut(Schema):
    id: int
    title: str
    source: str
    owner: str = Field(description="Department code of the owner unit.")
    region: str = Field(description="Region code.")
    month: date
    due_on: date
    status: ProjectStatus
    progress: int = Field(description="Percent of milestones done.")
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_owner(project: Project) -> str:
        return project.owner.code

    @staticmethod
    def resolve_region(project: Project) -> str:
        return project.region.code

    @staticmethod
    def resolve_milestones(project: Project) -> list[Milestone]:
        return list(project.milestones.all())


def _projects_reader(request: HttpRequest):
    user = _caller(request)
    if not may_open(user, "projects"):
        raise PermissionDenied(_("Only the centre reads the problems of the month."))
    return user


@router.get(
    "/projects", response={200: list[ProjectOut], **ERRORS}, summary="Problems of the month"
)
def list_projects(request: HttpRequest, status: ProjectStatus | None = None):
    """The problems of the month (未诉先办), the nearest due first."""
    user = _projects_reader(request)
    rows = (
        projects.visible_projects(user)
        .select_related("owner", "region")
        .prefetch_related("milestones")
    )
    if status:
        rows = rows.filter(status=status)
    return list(rows.with_progress().order_by("due_on", "id")[:MAX_LIMIT])


@router.post(
    "/projects/{project_id}/milestones/{milestone_id}/done",
    response={200: MilestoneOut, **ERRORS},
    summary="Mark a milestone done",
)
def milestone_done(request: HttpRequest, project_id: int, milestone_id: int):
    """The centre or the owner unit marks a milestone done (once; again changes nothing)."""
    user = _caller(request)
    step = (
        Milestone.objects.select_related("project")
        .filter(pk=milestone_id, project_id=project_id, project__in=projects.visible_projects(user))
        .first()
    )
    if step is None:
        raise not_found(_("There is no such milestone."))
    projects.complete_milestone(step, actor=user)
    return step
