"""The centres' work with other units for other systems (docs/centres.md): who is on
duty in a district centre today, summoning the unit on duty to a case, and the
co-handling units' parts (list a case's parts; a co-handling unit replies to its part).
Refusals are the API's usual errors (``LifecycleError`` → 400/403/409)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from civicgrid.accounts.pages import may_open
from civicgrid.cases.api import not_found, visible_case
from civicgrid.cases.lifecycle import InvalidAction
from civicgrid.cases.models import Case
from civicgrid.cases.scope import region_paths, visible_cases
from civicgrid.core.api import ERRORS, Input
from civicgrid.regions.models import Level, Region

from . import services
from .models import CoPart, DutyMode, DutySummons, Stationing

router = Router(tags=["centres"])


def _caller(request: HttpRequest):
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth


class StationedUnitOut(Schema):
    id: int = Field(description="The rota line; summon the unit with it.")
    centre: str = Field(description="Region code of the district centre.")
    unit: str = Field(description="Department code.")
    unit_name: str
    mode: DutyMode
    starts_on: date
    ends_on: date | None
    desk: str

    @staticmethod
    def resolve_centre(line: Stationing) -> str:
        return line.centre.code

    @staticmethod
    def resolve_unit(line: Stationing) -> str:
        return line.department.code

    @staticmethod
    def resolve_unit_name(line: Stationing) -> str:
        return line.department.name


class RotaFilterIn(Input):
    centre: str | None = Field(
        None, max_length=40, description="Region code of a district; empty: every one of yours."
    )
    day: date | None = Field(None, description="Empty: today.")


@router.get(
    "/rota", response={200: list[StationedUnitOut], **ERRORS}, summary="Stationed units on duty"
)
def on_duty(request: HttpRequest, filters: Query[RotaFilterIn]):
    """The units stationed in the caller's district centres on ``day`` (today): permanent
    ones first, then the rotating ones whose turn it is, then those on call."""
    user = _caller(request)
    if not may_open(user, "rota"):
        raise PermissionDenied(_("Only the centre's dispatchers and leaders read the rota."))
    found = Region.objects.filter(level=Level.DISTRICT).defer("boundary").order_by("path")
    if filters.centre:
        found = found.filter(code=filters.centre)
    districts = list(found)
    if not (user.is_superuser or user.has_role("admin")):
        paths = region_paths(user)
        districts = [
            d for d in districts if any(d.path.startswith(p) or p.startswith(d.path) for p in paths)
        ]
    day = filters.day or timezone.localdate()
    lines: list[Stationing] = []
    for district in districts:
        for line in services.on_duty(district, day):
            line.centre = district
            lines.append(line)
    return lines


class DutySummonsIn(Input):
    stationing: int = Field(description="The rota line of a unit on duty today (see /rota).")
    note: str = Field(max_length=services.NOTE_MAX, description="What the unit is asked to do.")


class DutySummonsOut(Schema):
    id: int
    case: str = Field(description="Case number.")
    unit: str = Field(description="Department code.")
    unit_name: str
    mode: DutyMode
    note: str
    at: datetime

    @staticmethod
    def resolve_case(summons: DutySummons) -> str:
        return summons.case.number

    @staticmethod
    def resolve_unit(summons: DutySummons) -> str:
        return summons.stationing.department.code

    @staticmethod
    def resolve_unit_name(summons: DutySummons) -> str:
        return summons.stationing.department.name

    @staticmethod
    def resolve_mode(summons: DutySummons) -> str:
        return summons.stationing.mode


@router.post(
    "/cases/{number}/summons",
    response={201: DutySummonsOut, **ERRORS},
    summary="Summon the unit on duty to a case",
)
def summon(request: HttpRequest, number: str, payload: DutySummonsIn):
    case = visible_case(request, number)
    line = Stationing.objects.select_related("department").filter(pk=payload.stationing).first()
    if line is None:
        raise InvalidAction(_("Choose a unit on duty."), "stationing")
    return Status(201, services.summon(case, line, actor=_caller(request), note=payload.note))


class CoPartOut(Schema):
    id: int
    case: str = Field(description="Case number.")
    unit: str = Field(description="Department code of the co-handling unit.")
    unit_name: str
    due_at: datetime = Field(description="The part's reply is due by then.")
    late: bool = Field(description="Not replied to and past its deadline.")
    reply: str
    replied_at: datetime | None

    @staticmethod
    def resolve_case(part: CoPart) -> str:
        return part.case.number

    @staticmethod
    def resolve_unit(part: CoPart) -> str:
        return part.department.code

    @staticmethod
    def resolve_unit_name(part: CoPart) -> str:
        return part.department.name

    @staticmethod
    def resolve_late(part: CoPart) -> bool:
        return part.is_late


@router.get(
    "/cases/{number}/parts",
    response={200: list[CoPartOut], **ERRORS},
    summary="A case's co-handling parts",
)
def case_parts(request: HttpRequest, number: str):
    case = visible_case(request, number)
    return list(CoPart.objects.filter(case=case).select_related("case", "department"))


class CoPartReplyIn(Input):
    reply: str = Field(max_length=services.REPLY_MAX, description="What the unit did.")


@router.post(
    "/parts/{part_id}/reply",
    response={200: CoPartOut, **ERRORS},
    summary="A co-handling unit's reply to its part",
)
def reply_part(request: HttpRequest, part_id: int, payload: CoPartReplyIn):
    part = CoPart.objects.select_related("case", "department").filter(pk=part_id).first()
    if (
        part is None
        or not visible_cases(_caller(request), Case.objects.filter(pk=part.case_id)).exists()
    ):
        raise not_found(_("There is no co-handling part %(id)s.") % {"id": part_id})
    services.reply_part(part, actor=_caller(request), reply=payload.reply)
    return CoPart.objects.select_related("case", "department").get(pk=part.pk)
