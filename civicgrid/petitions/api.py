"""Petitions for other systems: the caller's petitions, registration on a case, the
decision on acceptance, the extension and the handling opinion.

A token sees what its user sees on the pages (``services.visible_petitions``); the
petitioner is masked in every answer.
"""

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from civicgrid.cases.api import MAX_NUMBER, not_found, visible_case
from civicgrid.cases.lifecycle import ActionRefused
from civicgrid.cases.models import Case
from civicgrid.cases.scope import visible_cases
from civicgrid.core.api import ERRORS, Input

from . import services
from .lifecycle import allowed_moves
from .models import Petition, PetitionState

router = Router(tags=["petitions"])
MAX_LIMIT = 200


def _caller(request: HttpRequest):
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth


class PetitionOut(Schema):
    case: str = Field(description="The case number: the petition is a sidecar of its case.")
    form: str = Field(description="letter / visit / online / video.")
    state: str
    petitioner: str = Field(description="Masked (张**).")
    co_petitioners: int
    addressed_to: str
    higher_level: bool = Field(description="Addressed to a higher level (越级).")
    received_on: date
    receiving_office: str
    repeat_of: str | None = Field(description="Case number of the first petition it repeats.")
    repeat_count: int = Field(description="Earlier petitions of the same person and matter.")
    decide_by: date = Field(description="Decide on acceptance by (15 days from receipt).")
    decided_on: date | None
    due_on: date | None = Field(description="Handle by (60 days from acceptance, + extension).")
    extended_days: int
    leader: str | None = Field(description="The owning leader (包案).")
    light: str = Field(description="Traffic light of the clock running now.")

    @staticmethod
    def resolve_case(p: Petition) -> str:
        return p.case.number

    @staticmethod
    def resolve_petitioner(p: Petition) -> str:
        return p.masked_name

    @staticmethod
    def resolve_repeat_of(p: Petition) -> str | None:
        return p.repeat_of.case.number if p.repeat_of else None

    @staticmethod
    def resolve_leader(p: Petition) -> str | None:
        return (p.leader.get_full_name() or p.leader.username) if p.leader else None

    @staticmethod
    def resolve_light(p: Petition) -> str:
        return services.light(p)


class PetitionDetailOut(PetitionOut):
    matter: str
    refusal_reason: str
    lawful_route: str
    extension_reason: str
    opinion: str
    replied_on: date | None
    moves: list[str] = Field(description="The moves of the petition table open now.")

    @staticmethod
    def resolve_moves(p: Petition) -> list[str]:
        return allowed_moves(p.state)


class PetitionFilter(Input):
    state: PetitionState | None = None
    overdue: bool = False
    repeat: bool = False
    higher_level: bool = False
    leader_owned: bool = False
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


@router.get("", response={200: list[PetitionOut], **ERRORS}, summary="Petitions the caller sees")
def list_petitions(request: HttpRequest, filters: Query[PetitionFilter]):
    """Newest receipt first."""
    rows = services.visible_petitions(_caller(request))
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.overdue:
        rows = rows.filter(services.overdue_q(timezone.localdate()))
    if filters.repeat:
        rows = rows.filter(repeat_of__isnull=False)
    if filters.higher_level:
        rows = rows.filter(higher_level=True)
    if filters.leader_owned:
        rows = rows.filter(leader__isnull=False)
    return list(rows.order_by("-received_on", "-pk")[: filters.limit])


def _petition(request: HttpRequest, number: str) -> Petition:
    """The petition of a case the caller sees and may work on (404 / 403 otherwise)."""
    user = _caller(request)
    case = visible_cases(user, Case.objects.filter(number=number[:MAX_NUMBER])).first()
    rows = Petition.objects.select_related("case", "repeat_of__case", "leader")
    found = rows.filter(case=case).first() if case is not None else None
    if found is None:
        raise not_found(_("There is no petition %(number)s that you can see.") % {"number": number})
    why = services.refusal(user, found.case)
    if why:
        raise ActionRefused(why)
    return found


@router.get(
    "/{number}",
    response={200: PetitionDetailOut, **ERRORS},
    summary="One petition, by its case number",
)
def get_petition(request: HttpRequest, number: str):
    return _petition(request, number)


class PetitionIn(Input):
    form: str = Field(description="letter / visit / online / video.", max_length=8)
    petitioner_name: str = Field(max_length=50)
    petitioner_phone: str = Field("", max_length=20)
    petitioner_id_number: str = Field("", max_length=18)
    co_petitioners: int = Field(0, ge=0, le=services.MAX_CO_PETITIONERS)
    matter: str = Field(max_length=4000)
    addressed_to: str = Field(
        description="street / district / city / province / central.", max_length=10
    )
    higher_level: bool = False
    received_on: date
    receiving_office: str = Field(max_length=80)


@router.post(
    "/{number}",
    response={201: PetitionDetailOut, **ERRORS},
    summary="Register a petition on a case",
)
def register_petition(request: HttpRequest, number: str, payload: PetitionIn):
    """Repeat petitions of the same person about the same matter are found and counted."""
    case = visible_case(request, number)
    petition = services.register(
        case, services.PetitionInput(**payload.dict()), actor=_caller(request)
    )
    return Status(201, petition)


class DecisionIn(Input):
    accept: bool = Field(description="true: accept (受理); false: do not accept.")
    reason: str = Field("", max_length=2000, description="Why not accepted.")
    route: str = Field("", max_length=500, description="The lawful route the petitioner is told.")


@router.post(
    "/{number}/decision",
    response={200: PetitionDetailOut, **ERRORS},
    summary="Accept or do not accept a petition",
)
def decide(request: HttpRequest, number: str, payload: DecisionIn):
    petition = _petition(request, number)
    if payload.accept:
        return services.accept(petition, actor=_caller(request))
    return services.refuse(
        petition, actor=_caller(request), reason=payload.reason, route=payload.route
    )


class ExtensionIn(Input):
    days: int = Field(ge=1, le=services.MAX_EXTENSION_DAYS)
    reason: str = Field(max_length=2000)


@router.post(
    "/{number}/extension",
    response={200: PetitionDetailOut, **ERRORS},
    summary="Extend the handling limit once (a leader)",
)
def extend(request: HttpRequest, number: str, payload: ExtensionIn):
    petition = _petition(request, number)
    return services.extend(
        petition, actor=_caller(request), days=payload.days, reason=payload.reason
    )


class ReplyIn(Input):
    opinion: str = Field(max_length=4000, description="The handling opinion (处理意见).")


@router.post(
    "/{number}/reply",
    response={200: PetitionDetailOut, **ERRORS},
    summary="Give the handling opinion",
)
def reply(request: HttpRequest, number: str, payload: ReplyIn):
    """Starts handling first when the petition was only accepted."""
    petition = _petition(request, number)
    if petition.state == PetitionState.ACCEPTED:
        petition = services.start(petition, actor=_caller(request))
    return services.reply(petition, actor=_caller(request), opinion=payload.opinion)
