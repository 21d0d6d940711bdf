"""Field work for other systems (a phone app, a district dashboard): visits, the overdue
board, must-attend tasks and centre tasks. A token sees what its user sees on the pages;
households appear by door and category only, never with a contact."""

from datetime import date, datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from civicgrid.cases.lifecycle import InvalidAction
from civicgrid.core.api import ERRORS, Input

from . import scope, services
from .calendar import parse_month
from .models import CentreTask, Household, MustAttend, TaskReply, Visit

router = Router(tags=["fieldwork"])
MAX_LIMIT = 500


def _caller(request: HttpRequest):
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth


def _month(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return parse_month(text)
    except ValueError:
        raise InvalidAction(_("Give the month as YYYY-MM."), "month") from None


class FieldVisitOut(Schema):
    id: int
    household: int = Field(description="The household's id.")
    door: str
    category: str
    grid: str = Field(description="The grid's code.")
    month: date = Field(description="First day of the month the visit is due in.")
    visited_on: date | None
    found: str
    follow_up: str
    case: str | None = Field(description="The case the visit filed, if any.")
    late: bool

    @staticmethod
    def resolve_household(v: Visit) -> int:
        return v.household_id

    @staticmethod
    def resolve_door(v: Visit) -> str:
        return v.household.label

    @staticmethod
    def resolve_category(v: Visit) -> str:
        return v.household.category

    @staticmethod
    def resolve_grid(v: Visit) -> str:
        return v.grid.code

    @staticmethod
    def resolve_case(v: Visit) -> str | None:
        return v.case.number if v.case is not None else None

    @staticmethod
    def resolve_late(v: Visit) -> bool:
        return v.late()


class FieldVisitFilter(Input):
    month: str | None = Field(None, description="YYYY-MM; default: all months")
    open: bool = Field(False, description="Only visits not made yet.")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


@router.get("/visits", response={200: list[FieldVisitOut], **ERRORS}, summary="Visits")
def list_visits(request: HttpRequest, filters: Query[FieldVisitFilter]):
    """Visits in the caller's grids, the most recent month first."""
    visits = Visit.objects.filter(scope.grid_filter(_caller(request)))
    if month := _month(filters.month):
        visits = visits.filter(month=month)
    if filters.open:
        visits = visits.filter(visited_on__isnull=True)
    visits = visits.select_related("household", "grid", "case").order_by("-month", "pk")
    return list(visits[: filters.limit])


class FieldVisitIn(Input):
    household: int
    visited_on: date | None = None
    found: str = Field(max_length=4000)
    follow_up: str = Field("", max_length=4000)
    problem_title: str = Field(
        "", max_length=200, description="Non-empty: file what was found as a case."
    )
    idempotency_key: str = Field(
        "", max_length=64, description="Send the same key again after a lost connection."
    )


@router.post(
    "/visits",
    response={200: FieldVisitOut, 201: FieldVisitOut, **ERRORS},
    summary="Record a visit",
)
def record_visit(request: HttpRequest, payload: FieldVisitIn):
    """201 with the record; 200 with the first record when the key was sent before; a
    second visit to a household in one month, or a household outside the caller's grids,
    is refused."""
    user = _caller(request)
    # Refused with its reason (403) when outside the caller's grids: ids say nothing personal.
    household = get_object_or_404(Household.objects.select_related("grid"), pk=payload.household)
    recorded = services.record_visit(
        household,
        actor=user,
        visited_on=payload.visited_on,
        found=payload.found,
        follow_up=payload.follow_up,
        key=payload.idempotency_key,
        problem_title=payload.problem_title,
    )
    visit = Visit.objects.select_related("household", "grid", "case").get(pk=recorded.visit.pk)
    return Status(200 if recorded.replayed else 201, visit)


class FieldTallyOut(Schema):
    name: str
    due: int
    done: int
    on_time: int
    overdue: int = Field(description="Visits of earlier months still not made.")
    share: float | None = Field(description="Share of the month's due visits made in time.")


class FieldBoardOut(Schema):
    month: date
    total: FieldTallyOut
    grids: list[FieldTallyOut]
    communities: list[FieldTallyOut]
    workers: list[FieldTallyOut]


@router.get("/board", response={200: FieldBoardOut, **ERRORS}, summary="Overdue visits board")
def board(request: HttpRequest, month: str | None = Query(None, description="YYYY-MM")):
    return services.overdue_board(_caller(request), _month(month))


class MustAttendOut(Schema):
    id: int
    case: str
    grid: str
    due_at: datetime
    arrived_at: datetime | None
    note: str = Field(description="What the grid worker noted on arrival.")
    late: bool

    @staticmethod
    def resolve_case(t: MustAttend) -> str:
        return t.case.number

    @staticmethod
    def resolve_grid(t: MustAttend) -> str:
        return t.grid.code


@router.get(
    "/must-attend", response={200: list[MustAttendOut], **ERRORS}, summary="Must-attend tasks"
)
def must_attend(request: HttpRequest, open: bool = True):
    """The on-site tasks (五必到) in the caller's grids, the most urgent first."""
    tasks = MustAttend.objects.filter(scope.grid_filter(_caller(request)))
    if open:
        tasks = tasks.filter(arrived_at__isnull=True)
    return list(tasks.select_related("case", "grid").order_by("due_at")[:MAX_LIMIT])


class CentreTaskOut(Schema):
    id: int
    title: str
    details: str
    due_at: datetime | None
    created_at: datetime
    grids: int
    done: int


@router.get("/tasks", response={200: list[CentreTaskOut], **ERRORS}, summary="Centre tasks")
def tasks(request: HttpRequest):
    """The centre's tasks the caller sees, with how many grids have done each."""
    from django.db.models import Count, Q

    listed = (
        services.visible_tasks(_caller(request))
        .annotate(
            grids=Count("replies"),
            done=Count("replies", filter=Q(replies__done_at__isnull=False)),
        )
        .order_by("-created_at")[:MAX_LIMIT]
    )
    return list(listed)


class ArrivalIn(Input):
    note: str = Field("", max_length=2000, description="What the grid worker found on site.")


@router.post(
    "/must-attend/{task_id}/arrive",
    response={200: MustAttendOut, **ERRORS},
    summary="Record an arrival (五必到)",
)
def arrive(request: HttpRequest, task_id: int, payload: ArrivalIn):
    """The grid worker is on site: the time is recorded once (never a position). A task
    of another grid is not found (404), or refused (403) to the community that sees it
    without being in the grid's team; a second arrival is refused (400)."""
    user = _caller(request)
    task = get_object_or_404(
        MustAttend.objects.filter(scope.grid_filter(user)).select_related("case", "grid"),
        pk=task_id,
    )
    return services.arrive(task, actor=user, note=payload.note)


class TaskReplyOut(Schema):
    id: int
    task: int
    grid: str = Field(description="The grid's code.")
    grid_name: str
    result: str
    done_at: datetime | None
    photos: int = Field(description="How many photos came with the reply.")

    @staticmethod
    def resolve_task(r: TaskReply) -> int:
        return r.task_id

    @staticmethod
    def resolve_grid(r: TaskReply) -> str:
        return r.grid.code

    @staticmethod
    def resolve_grid_name(r: TaskReply) -> str:
        return r.grid.name

    @staticmethod
    def resolve_photos(r: TaskReply) -> int:
        return len(r.photos.all())


def _visible_task(user, task_id: int) -> CentreTask:
    return get_object_or_404(services.visible_tasks(user), pk=task_id)


@router.get(
    "/tasks/{task_id}/replies",
    response={200: list[TaskReplyOut], **ERRORS},
    summary="A centre task's replies",
)
def task_replies(request: HttpRequest, task_id: int):
    """Each grid's share of the task and its reply: the progress board."""
    task = _visible_task(_caller(request), task_id)
    return list(task.replies.select_related("grid").prefetch_related("photos").order_by("grid"))


class TaskReplyIn(Input):
    result: str = Field(max_length=4000, description="What the grid did.")


@router.post(
    "/tasks/{task_id}/replies/{reply_id}",
    response={200: TaskReplyOut, **ERRORS},
    summary="Reply for a grid",
)
def reply_task(request: HttpRequest, task_id: int, reply_id: int, payload: TaskReplyIn):
    """A grid's reply to the centre's task, once, by the grid's team (with photos:
    ``…/replies/{reply_id}/photos``, multipart)."""
    return _reply(request, task_id, reply_id, payload.result, [])


@router.post(
    "/tasks/{task_id}/replies/{reply_id}/photos",
    response={200: TaskReplyOut, **ERRORS},
    summary="Reply for a grid, with photos",
)
def reply_task_with_photos(
    request: HttpRequest,
    task_id: int,
    reply_id: int,
    result: Form[str],
    photos: list[UploadedFile] = File(None),  # noqa: B008 — django-ninja's marker
):
    """The same reply as multipart/form-data, as the task's page sends it: ``result`` and
    up to six ``photos`` (JPEG, PNG, WebP or GIF, at most 10 MB each; turned upright,
    at most 2560 px, no EXIF or GPS). A refused photo saves nothing of the reply."""
    return _reply(request, task_id, reply_id, result, photos or [])


def _reply(request: HttpRequest, task_id: int, reply_id: int, result: str, files) -> TaskReply:
    user = _caller(request)
    task = _visible_task(user, task_id)
    reply = get_object_or_404(TaskReply.objects.select_related("grid"), pk=reply_id, task=task)
    services.reply_task(reply, actor=user, result=result, files=files)
    return TaskReply.objects.select_related("grid").prefetch_related("photos").get(pk=reply.pk)
