"""What the cases API accepts and returns. Contacts only ever leave masked."""

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from django.urls import reverse
from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from civicgrid.core.api import Input
from civicgrid.core.datetimes import FilterTime
from civicgrid.regions.datum import Datum
from civicgrid.routing.models import RequestType, Urgency

from . import limits
from .callbacks import Outcome
from .lifecycle import PERMISSIONS, REFERRAL_KINDS, TRANSITIONS, Action, action_label
from .models import Case, CaseEvent, Channel, Light, Rating, Status, StatusGroup

MAX_EXTRA_BYTES = 4000


# What a person can do to an existing case: every move of the table that some role may
# take. Registration has its own endpoint; the overdue mark belongs to the system.
PERSON_ACTIONS = [
    a
    for a in Action
    if a != Action.REGISTER and any(act == a for (_s, act) in TRANSITIONS) and PERMISSIONS[a][0]
]
UserAction = StrEnum("UserAction", {a.name: a.value for a in PERSON_ACTIONS})
ReferralKind = StrEnum("ReferralKind", {k.upper(): k for k in REFERRAL_KINDS})


class EscalationTarget(StrEnum):
    PARENT = "parent"
    JOINT = "joint"


# --- input ---------------------------------------------------------------------------


class PointIn(Input):
    lng: float = Field(ge=-180, le=180, allow_inf_nan=False, examples=[118.582])
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, examples=[37.461])
    datum: Datum = Field(Datum.WGS84, description="Datum of lng/lat; stored as WGS84.")


class ReporterIn(Input):
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)


class CaseIn(Input):
    channel: Channel = Channel.API
    request_type: RequestType = RequestType.HELP
    category: str | None = Field(None, max_length=20, description="Category code.")
    urgency: Urgency | None = Field(None, description="Empty: the category's default.")
    title: str = Field(min_length=1, max_length=limits.TITLE)
    content: str = Field(min_length=1, max_length=limits.CONTENT)
    address: str = Field("", max_length=limits.ADDRESS)
    location: PointIn | None = None
    reporter: ReporterIn | None = None
    extra: dict[str, Any] = Field(
        default_factory=dict, description="Fields the category asks for, e.g. a plate number."
    )

    @field_validator("extra")
    @classmethod
    def _small_extra(cls, value: dict) -> dict:
        if len(json.dumps(value, ensure_ascii=False)) > MAX_EXTRA_BYTES:
            raise PydanticCustomError(
                "json_too_long",
                "At most {max_length} characters of JSON",
                {"max_length": MAX_EXTRA_BYTES},
            )
        return value


class ActionIn(Input):
    """The note, plus the fields of the action being taken (the others are ignored)."""

    note: str = Field("", max_length=limits.NOTE)
    main_department: str | None = Field(
        None, max_length=40, description="dispatch, reassign: department code"
    )
    co_departments: list[str] = Field(
        default_factory=list, max_length=20, description="dispatch: codes"
    )
    category: str | None = Field(
        None, max_length=20, description="dispatch: category code, to correct the category"
    )
    into: str | None = Field(None, max_length=20, description="merge: case number")
    days: int | None = Field(None, ge=0, le=366, description="request_extension")
    rating: Rating | None = Field(None, description="callback: the citizen was reached")
    outcome: Annotated[
        Outcome | None,
        Field(
            description="callback without a rating: no_answer and unreachable schedule the "
            "next try (the last one ends the round), refused ends it"
        ),
    ] = None
    attempt: Annotated[
        int | None,
        Field(ge=1, le=100, description="callback: the try you saw (1, 2 …); 409 if recorded"),
    ] = None
    kind: ReferralKind | None = Field(None, description="refer")
    to: EscalationTarget | None = Field(None, description="escalate")
    answer: str | None = Field(None, max_length=limits.REPLY, description="answer_directly")
    knowledge_entry: int | None = Field(
        None, ge=1, description="answer_directly: id of the knowledge-base entry used"
    )
    reply: str | None = Field(None, max_length=limits.REPLY, description="reply, solve_in_grid")
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False, description="place")
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False, description="place")
    datum: Datum = Field(Datum.WGS84, description="place")


class CaseFilters(Input):
    status: Status | None = None
    status_group: StatusGroup | None = None
    light: Light | None = None
    category: str | None = Field(None, max_length=20, description="code; includes children")
    channel: Channel | None = None
    region: str | None = Field(None, max_length=15, description="region or grid code; subtree")
    main_department: str | None = Field(None, max_length=40, description="department code")
    created_after: FilterTime | None = None
    created_before: FilterTime | None = None
    q: str | None = Field(None, max_length=100, description="text in the number or the title")


# --- output --------------------------------------------------------------------------


class Ref(Schema):
    code: str
    name: str


class PointOut(Schema):
    lng: float
    lat: float
    datum: str = Field("wgs84", description="Stored positions are always WGS84.")


class ReporterOut(Schema):
    name: str = Field(description="masked")
    phone: str = Field(description="masked")


def _ref(obj) -> dict | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


class CaseOut(Schema):
    number: str
    status: str
    status_label: str
    status_group: str
    channel: str
    request_type: str
    category: Ref | None
    urgency: str
    title: str
    address: str
    location: PointOut | None
    grid: Ref | None
    owner_region: Ref | None = Field(description="The centre that triages the case.")
    needs_placement: bool
    main_department: Ref | None
    reporter: ReporterOut
    light: Light
    due_at: datetime | None = Field(description="Deadline of the current step.")
    warn_at: datetime | None
    handle_due_at: datetime | None = Field(description="The department's overall deadline.")
    rating: str
    callback_result: str = Field(description="reached, refused, not_reached; empty before")
    callback_tries: int = Field(description="Callback tries that reached nobody this round.")
    callback_next_at: datetime | None = Field(description="The next callback try from.")
    outcome: str
    reopen_count: int
    joint_consultation: bool
    merged_into: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_status_label(case: Case) -> str:
        return str(case.get_status_display())

    @staticmethod
    def resolve_status_group(case: Case) -> str:
        return case.status_group

    @staticmethod
    def resolve_category(case: Case):
        return _ref(case.category)

    @staticmethod
    def resolve_location(case: Case):
        return {"lng": case.lng, "lat": case.lat} if case.has_position else None

    @staticmethod
    def resolve_grid(case: Case):
        return _ref(case.grid)

    @staticmethod
    def resolve_owner_region(case: Case):
        return _ref(case.owner_region)

    @staticmethod
    def resolve_main_department(case: Case):
        return _ref(case.main_department)

    @staticmethod
    def resolve_reporter(case: Case):
        return {"name": case.masked_name, "phone": case.masked_phone}

    @staticmethod
    def resolve_light(case: Case) -> str:
        return case.light()

    @staticmethod
    def resolve_merged_into(case: Case) -> str | None:
        if not case.merged_into_id:
            return None
        # Lists annotate the number; a case fresh from a service has the object.
        return getattr(case, "merged_into_number", None) or case.merged_into.number


def case_out(case: Case) -> dict:
    """``CaseOut`` of ``case`` as a plain dict, built without pydantic's validation: the
    answer to every intake, where validating the 30 fields of a row just written cost
    a tenth of the request. ``test_case_out_is_the_schema`` keeps the two equal."""
    has_position = case.has_position
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "status_group": case.status_group,
        "channel": case.channel,
        "request_type": case.request_type,
        "category": _ref(case.category),
        "urgency": case.urgency,
        "title": case.title,
        "address": case.address,
        "location": {"lng": case.lng, "lat": case.lat, "datum": "wgs84"} if has_position else None,
        "grid": _ref(case.grid),
        "owner_region": _ref(case.owner_region),
        "needs_placement": case.needs_placement,
        "main_department": _ref(case.main_department),
        "reporter": {"name": case.masked_name, "phone": case.masked_phone},
        "light": case.light(),
        "due_at": case.due_at,
        "warn_at": case.warn_at,
        "handle_due_at": case.handle_due_at,
        "rating": case.rating,
        "callback_result": case.callback_result,
        "callback_tries": case.callback_tries,
        "callback_next_at": case.callback_next_at,
        "outcome": case.outcome,
        "reopen_count": case.reopen_count,
        "joint_consultation": case.joint_consultation,
        "merged_into": CaseOut.resolve_merged_into(case),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
    }


class EventOut(Schema):
    at: datetime
    actor: str | None = Field(description="Display name; empty for the system.")
    action: str
    action_label: str
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]
    public: bool

    @staticmethod
    def resolve_actor(event: CaseEvent) -> str | None:
        return event.actor.display_name if event.actor_id else None

    @staticmethod
    def resolve_action_label(event: CaseEvent) -> str:
        return action_label(event.action)


class AttachmentOut(Schema):
    name: str
    url: str = Field(
        description="Site-relative: GET it with the same token or session, which must "
        "still see the case."
    )
    size: int
    content_type: str = Field(description="Told by the file's bytes, not by its sender.")
    uploaded_at: datetime

    @staticmethod
    def resolve_url(attachment) -> str:
        # Never the storage's own URL: files are served only through the scope check.
        return reverse(
            "api:case_attachment",
            kwargs={"number": attachment.case.number, "attachment_id": attachment.pk},
        )


class CaseDetailOut(CaseOut):
    content: str
    reply: str
    extra: dict[str, Any]
    co_departments: list[Ref]
    events: list[EventOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_co_departments(case: Case):
        return [_ref(d) for d in case.co_departments.all()]

    @staticmethod
    def resolve_events(case: Case):
        return list(case.events.all())

    @staticmethod
    def resolve_attachments(case: Case):
        return list(case.attachments.all())


class ActionOut(Schema):
    event: EventOut
    case: CaseDetailOut


class AvailableActionOut(Schema):
    action: str
    label: str


class ReplyTemplateOut(Schema):
    """A standard phrase (常用语) as offered for one case: placeholders filled in."""

    id: int
    title: str
    text: str
    category: str | None = Field(description="Category code; null: every category.")
    department: str | None = Field(description="Department code; null: shared.")
