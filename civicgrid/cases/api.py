"""The cases API: intake, queues, one case with its timeline, and every lifecycle action.

Endpoints parse input, call ``services`` and render; all rules live in ``lifecycle`` and
``services``. A case the caller may not see answers 404, exactly like one that does not
exist, so numbers cannot be probed.
"""

from datetime import datetime
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from civicgrid.core.api import ERRORS, ErrorOut, InvalidInput, json_response
from civicgrid.core.paging import COUNT_BOUND, BoundedPaginator, past
from civicgrid.routing import catalogue
from civicgrid.routing.models import Category, Department

from . import attachments, exports, lifecycle, phrases, services
from .lifecycle import Action, InvalidAction
from .models import Case, CaseEvent, CaseExport
from .schemas import (
    PERSON_ACTIONS,
    ActionIn,
    ActionOut,
    AttachmentOut,
    AvailableActionOut,
    CaseDetailOut,
    CaseFilters,
    CaseIn,
    CaseOut,
    ReplyTemplateOut,
    UserAction,
    case_out,
)
from .scope import visible_cases
from .search import NEWEST_FIRST, CaseFilter

router = Router(tags=["cases"])

MAX_PAGE = 500
MAX_NUMBER = Case._meta.get_field("number").max_length


class CasePagination(LimitOffsetPagination):
    """limit/offset within the first 10,000 cases, or keyset paging at any depth
    (``older_than``: the cases after that one, newest first); ``count`` stops at
    10,000 (``count_capped``), so no request counts or skips a whole table
    (docs/performance.md)."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE)
        offset: int = Field(
            0, ge=0, le=COUNT_BOUND, description="at most 10,000: further on, use older_than"
        )
        older_than: str | None = Field(
            None,
            max_length=MAX_NUMBER,
            description="a case number: the cases listed after it (next_older_than of the "
            "previous page)",
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="the matching cases (from older_than on), up to 10,000")
        count_capped: bool = Field(description="true when more than count cases match")
        next_older_than: str | None = Field(
            description="older_than for the next page; null on the last page"
        )

    def paginate_queryset(self, queryset, pagination, request, **params):
        if pagination.older_than:
            mark = (
                Case.objects.filter(number=pagination.older_than).values("created_at", "id").first()
            )
            if mark is None:
                raise InvalidInput("older_than", _("There is no case with this number."))
            queryset = past(queryset, (mark["created_at"], mark["id"]), older=True)
        start, limit = pagination.offset, pagination.limit
        rows = list(queryset[start : start + limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        counted = BoundedPaginator(queryset, limit)
        return {
            "items": rows,
            "count": counted.count,
            "count_capped": counted.capped,
            "next_older_than": rows[-1].number if more else None,
        }


# --- reading ---------------------------------------------------------------------------

CASE_RELATIONS = ("category", "grid", "owner_region", "main_department")


def _cases() -> QuerySet:
    """Cases with what a response shows joined in, but not the regions' polygons.

    A district's boundary is ~70 kB of GeoJSON: selecting it with every row made a page
    of 50 cases cost 180 ms.
    """
    return (
        Case.objects.select_related(*CASE_RELATIONS)
        .defer("grid__boundary", "owner_region__boundary")
        .annotate(merged_into_number=F("merged_into__number"))
    )


def not_found(message: str) -> Http404:
    error = Http404(message)
    error.civicgrid_message = True  # the API's 404 handler shows this message
    return error


def _visible(request: HttpRequest) -> QuerySet:
    return visible_cases(request.auth, _cases())


def _with_timeline(query: QuerySet) -> QuerySet:
    events = CaseEvent.objects.select_related("actor").order_by("at", "id")
    return query.prefetch_related(
        "co_departments", Prefetch("events", queryset=events), "attachments"
    )


def _case(request: HttpRequest, number: str, *, timeline: bool = False) -> Case:
    case = None
    if len(number) <= MAX_NUMBER and "\x00" not in number:
        query = _visible(request).filter(number=number)
        case = (_with_timeline(query) if timeline else query).first()
    if case is None:
        raise not_found(_("There is no case %(number)s that you can see.") % {"number": number})
    return case


def visible_case(request: HttpRequest, number: str) -> Case:
    """The case ``number`` if the caller may see it, else 404 (for upper apps' routers)."""
    return _case(request, number)


def _reload(case: Case) -> Case:
    """The case as stored now, with its timeline (the actor may no longer see it)."""
    return _with_timeline(_cases()).get(pk=case.pk)


def _category(code: str) -> int:
    root = Category.objects.filter(code=code).values_list("pk", flat=True).first()
    if root is None:
        raise InvalidInput(
            "category", _("There is no category with code %(code)s.") % {"code": code}
        )
    return root


def case_filter(filters: CaseFilters) -> CaseFilter:
    """The API's parameters as the shared case filter; unknown codes are refused."""
    values = filters.model_dump()
    if filters.category:
        values["category"] = _category(filters.category)
    values["group"] = values.pop("status_group", None)
    values["text"] = values.pop("q", None)
    found = CaseFilter.of(values)
    if not found.region_known():
        raise InvalidInput(
            "region", _("There is no region with code %(code)s.") % {"code": filters.region}
        )
    return found


@router.get("", response={200: list[CaseOut], **ERRORS}, summary="List the cases you can see")
@paginate(CasePagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]):
    """Newest first; ``count`` is the number of matching cases up to 10,000
    (``count_capped`` when there are more); page on with ``next_older_than``."""
    return case_filter(filters).apply(_visible(request)).order_by(*NEWEST_FIRST)


# --- Excel export --------------------------------------------------------------------


class ExportOut(Schema):
    id: int
    state: CaseExport.State
    total: int = Field(description="rows to write")
    written: int = Field(description="rows written so far")
    percent: int
    created_at: datetime
    file: str | None = Field(None, description="URL of the .xlsx once ``state`` is done")


def _export_out(request: HttpRequest, job: CaseExport) -> dict:
    url = None
    if job.state == CaseExport.State.DONE:
        url = request.build_absolute_uri(reverse("api:case_export_file", args=[job.pk]))
    return {
        **{k: getattr(job, k) for k in ("id", "state", "total", "written", "percent")},
        "created_at": job.created_at,
        "file": url,
    }


def _caller(request: HttpRequest):
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth


def _own_export(request: HttpRequest, export_id: int) -> CaseExport:
    job = CaseExport.objects.filter(pk=export_id, user=_caller(request)).first()
    if job is None:
        raise not_found(_("There is no such export of yours."))
    return job


@router.post(
    "/exports",
    response={201: ExportOut, **ERRORS},
    summary="Export the cases you can see to Excel",
)
def start_export(request: HttpRequest, filters: Query[CaseFilters]):
    """The same filters as ``GET /api/cases``; the export is recorded (who, filters, rows).

    Up to 2,000 rows the file is written at once (``state`` done, ``file`` its URL);
    longer lists are written by the export worker: poll ``GET /api/cases/exports/{id}``.
    Personal data is masked; times are local; the file is yours only, kept for a day.
    """
    params = exports.filter_params(case_filter(filters))
    return Status(201, _export_out(request, exports.start(_caller(request), "cases", params)))


@router.get(
    "/exports/{export_id}", response={200: ExportOut, **ERRORS}, summary="An export's progress"
)
def get_export(request: HttpRequest, export_id: int):
    return _export_out(request, _own_export(request, export_id))


@router.get(
    "/exports/{export_id}/file",
    response=ERRORS,
    url_name="case_export_file",
    summary="Download an export's Excel file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The .xlsx file.",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    }
                },
            }
        }
    },
)
def download_export(request: HttpRequest, export_id: int):
    job = _own_export(request, export_id)
    path = exports.file_path(job)
    if path is None:
        raise not_found(_("This file is not there (any more)."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=exports.download_name(job),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@router.get(
    "/{number}", response={200: CaseDetailOut, **ERRORS}, summary="One case with its timeline"
)
def get_case(request: HttpRequest, number: str):
    return _case(request, number, timeline=True)


# --- intake ----------------------------------------------------------------------------

# services.validate_intake names fields after Intake; the API nests some of them.
API_FIELD = {
    "lng": "location",
    "lat": "location",
    "reporter_phone": "reporter.phone",
    "reporter_name": "reporter.name",
}


def category_of(code: str | None):
    """The active category with ``code`` (None when none is given); a 400 naming the field
    when there is no such category. Every door that takes a category code uses it."""
    if not code:
        return None
    category = catalogue.category(code)
    if category is None:
        raise InvalidInput(
            "category", _("There is no active category with code %(code)s.") % {"code": code}
        )
    return category


def _intake(payload: CaseIn) -> services.Intake:
    category = category_of(payload.category)
    location, reporter = payload.location, payload.reporter
    return services.Intake(
        channel=payload.channel.value,
        title=payload.title,
        content=payload.content,
        category=category,
        request_type=payload.request_type.value,
        urgency=payload.urgency.value if payload.urgency else "",
        lng=location.lng if location else None,
        lat=location.lat if location else None,
        datum=location.datum.value if location else "wgs84",
        address=payload.address,
        reporter_name=reporter.name if reporter else "",
        reporter_phone=reporter.phone if reporter else "",
        extra=payload.extra,
    )


@router.post("", response={201: CaseOut, 200: CaseOut, **ERRORS}, summary="Register a case")
def create_case(request: HttpRequest, payload: CaseIn):
    """Register a case from another system or the UI; the point is located in its grid.

    A point outside every grid is kept and the case flagged ``needs_placement``.

    Send an ``Idempotency-Key`` header (8–64 letters, digits, ``-_:.``) to retry safely
    after a lost connection: the same key from the same account returns the case the
    first request made, with status 200 instead of 201.
    """
    key = services.SubmissionKey.for_user(request.auth, request.headers.get("Idempotency-Key"))
    try:
        registered = services.register_case_once(_intake(payload), actor=request.auth, key=key)
    except InvalidAction as exc:
        errors = getattr(exc, "errors", None) or {}
        exc.errors = {API_FIELD.get(field, field): message for field, message in errors.items()}
        raise
    # The answer built straight from the row (schemas.case_out), not validated again.
    status = 200 if registered.replayed else 201
    return json_response(request, case_out(registered.case), status)


# --- actions ---------------------------------------------------------------------------


def _department(code: str, field: str) -> Department:
    department = Department.objects.filter(code=code, active=True).first()
    if department is None:
        raise InvalidInput(
            field, _("There is no active department with code %(code)s.") % {"code": code}
        )
    return department


def _dispatch_data(request, payload: ActionIn) -> dict:
    main = (
        _department(payload.main_department, "main_department") if payload.main_department else None
    )
    co = [_department(code, "co_departments") for code in payload.co_departments]
    data = {"main_department": main, "co_departments": co}
    if payload.category:
        data["category"] = catalogue.category(payload.category)
        if data["category"] is None:
            raise InvalidInput(
                "category",
                _("There is no active category with code %(code)s.") % {"code": payload.category},
            )
    return data


def _merge_data(request, payload: ActionIn) -> dict:
    # Only into a case the caller can see: merging must not reveal other districts' cases.
    target = _visible(request).filter(number=(payload.into or "").strip()).first()
    if target is None:
        raise InvalidInput("into", _("There is no case with that number to merge into."))
    return {"into": target}


def _place_data(request, payload: ActionIn) -> dict:
    if payload.lng is None or payload.lat is None:
        raise InvalidInput("lng", _("Give the longitude and latitude of the place."))
    return {"lng": payload.lng, "lat": payload.lat, "datum": payload.datum.value}


def _fields(**names):
    """Data taken from the payload as is: ``{data key: payload attribute}``."""

    def extract(request, payload: ActionIn) -> dict:
        data = {}
        for key, attribute in names.items():
            value = getattr(payload, attribute)
            if value is not None:
                data[key] = getattr(value, "value", value)
        return data

    return extract


def _reassign_data(request, payload: ActionIn) -> dict:
    # A centre's code is found here and refused by the rule, naming the field.
    code = payload.main_department
    if not code:
        raise InvalidInput("main_department", _("Choose the department that takes the case over."))
    return {"main_department": _department(code, "main_department")}


ACTION_DATA = {
    Action.DISPATCH: _dispatch_data,
    Action.REASSIGN: _reassign_data,
    Action.MERGE: _merge_data,
    Action.PLACE: _place_data,
    Action.REQUEST_EXTENSION: _fields(days="days"),
    Action.CALLBACK: _fields(rating="rating", outcome="outcome", attempt="attempt"),
    Action.REFER: _fields(kind="kind"),
    Action.ESCALATE: _fields(to="to"),
    Action.ANSWER_DIRECTLY: _fields(answer="answer", knowledge_entry="knowledge_entry"),
    Action.REPLY: _fields(reply="reply"),
    Action.SOLVE_IN_GRID: _fields(reply="reply"),
}


@router.get(
    "/{number}/reply-templates",
    response={200: list[ReplyTemplateOut], **ERRORS},
    summary="Standard phrases for replying to the case",
)
def reply_templates(request, number: str):
    """The reply templates (常用语) offered to you for this case: those of its category
    and the categories above it, or of every category; shared, or your department's.
    The most specific first; ``{case_number}``, ``{date}`` and ``{category}`` filled in."""
    return phrases.for_case(_case(request, number), request.auth)


@router.get(
    "/{number}/actions",
    response={200: list[AvailableActionOut], **ERRORS},
    summary="What you may do now",
)
def available_actions(request: HttpRequest, number: str):
    case = _case(request, number)
    return [
        {"action": action, "label": lifecycle.action_label(action)}
        for action in lifecycle.allowed_actions(case.status)
        if action in PERSON_ACTIONS and lifecycle.can(case, action, request.auth)
    ]


@router.post(
    "/{number}/actions/{action}",
    response={200: ActionOut, 409: ErrorOut, **ERRORS},
    summary="Take a step of the closed loop",
)
def take_action(
    request: HttpRequest, number: str, action: UserAction, payload: ActionIn | None = None
):
    """Take ``action`` on the case. The body carries the note and the action's own fields:

    dispatch `main_department`, `co_departments` (codes); reassign `main_department`
    (code; the note is the reason, required as for withdraw and overrule_return);
    merge `into` (case number); request_extension `days`; callback `rating` (reached),
    or `outcome` (`no_answer`, `unreachable`: the next try is scheduled, the last one
    ends the round; `refused`) and `attempt`; refer `kind`; escalate `to`;
    answer_directly `answer` (and `knowledge_entry`, the id of the knowledge-base entry
    used); reply `reply`; place `lng`, `lat`, `datum`.
    """
    payload = payload or ActionIn()
    case = _case(request, number)
    # Refuse a move out of the table, or by the wrong person, before reading its fields.
    lifecycle.check(case, action.value, request.auth)
    data = ACTION_DATA.get(action.value, _fields())(request, payload)
    event = services.act(case, action.value, actor=request.auth, note=payload.note, **data)
    return {"event": event, "case": _reload(case)}


@router.post(
    "/{number}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="Add a photo or document",
)
def add_attachment(request: HttpRequest, number: str, file: File[UploadedFile]):
    """Anyone who can see the case may add a file to it (at most 10 MB).

    Its type is what its bytes are: a photo (JPEG, PNG, WebP, GIF; cleaned: turned upright,
    at most 2560 px, no EXIF or GPS), a PDF, Word or Excel file, or plain text.
    """
    case = _case(request, number)
    return Status(201, services.add_file(case, file, actor=request.auth))


@router.get(
    "/{number}/attachments/{attachment_id}",
    response=ERRORS,
    url_name="case_attachment",
    summary="Download a file of the case",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file: images inline, anything else as a download.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request: HttpRequest, number: str, attachment_id: int):
    """The ``url`` of a file in the case's ``attachments``; 404 for a case you cannot see."""
    case = _case(request, number)
    stored = case.attachments.filter(pk=attachment_id).first()
    if stored is None:
        raise not_found(
            _("Case %(number)s has no file %(id)s.") % {"number": case.number, "id": attachment_id}
        )
    return attachments.download(stored)
