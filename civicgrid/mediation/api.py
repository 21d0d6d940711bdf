"""Mediation for other systems: the caller's disputes and the risk board (read-only).

A token sees what its user sees on the pages (``services.visible_disputes``); parties
are never in the answer, only their count.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from civicgrid.cases.api import MAX_NUMBER, not_found
from civicgrid.cases.lifecycle import ActionRefused
from civicgrid.cases.models import Case
from civicgrid.cases.scope import visible_cases
from civicgrid.core.api import ERRORS, Input

from . import queries, services
from .lifecycle import allowed_moves
from .models import Colour, Dispute, DisputeState, Party

router = Router(tags=["mediation"])
MAX_LIMIT = 200


class DisputeOut(Schema):
    case: str = Field(description="The case number: the dispute is a sidecar of its case.")
    type: str = Field(description="Dispute type code (two-level taxonomy).")
    type_name: str
    source: str
    state: str
    people_involved: int
    scale: str
    level: str
    colour: str = Field(description="red / orange / yellow early warning.")
    organisation: str | None
    registered_at: datetime
    due_at: datetime | None = Field(description="Mediate by (once accepted).")
    confirm_by: datetime | None = Field(description="Apply for judicial confirmation by.")
    light: str = Field(description="Traffic light of the running time limit.")

    @staticmethod
    def resolve_case(d: Dispute) -> str:
        return d.case.number

    @staticmethod
    def resolve_type(d: Dispute) -> str:
        return d.type.code

    @staticmethod
    def resolve_type_name(d: Dispute) -> str:
        return d.type.name

    @staticmethod
    def resolve_organisation(d: Dispute) -> str | None:
        return d.organisation.name if d.organisation else None

    @staticmethod
    def resolve_light(d: Dispute) -> str:
        return services.light(d)


def _caller(request: HttpRequest):
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth


class DisputeFilter(Input):
    state: DisputeState | None = None
    colour: Colour | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


@router.get(
    "/disputes", response={200: list[DisputeOut], **ERRORS}, summary="Disputes the caller sees"
)
def list_disputes(request: HttpRequest, filters: Query[DisputeFilter]):
    """Newest first; a mediator's token sees only its organisations' disputes."""
    disputes = services.visible_disputes(_caller(request))
    if filters.state:
        disputes = disputes.filter(state=filters.state)
    if filters.colour:
        disputes = disputes.filter(colour=filters.colour)
    return list(disputes.order_by("-registered_at", "-pk")[: filters.limit])


class PartyOut(Schema):
    side: str
    kind: str
    name: str = Field(description="Masked for a person (张**); an organisation's name.")
    phone: str = Field(description="Masked (139****1111).")

    @staticmethod
    def resolve_name(p: Party) -> str:
        return p.masked_name

    @staticmethod
    def resolve_phone(p: Party) -> str:
        return p.masked_phone


class SessionOut(Schema):
    held_at: datetime
    place: str
    video: bool
    signed: bool


class DisputeDetailOut(DisputeOut):
    parties: list[PartyOut]
    sessions: list[SessionOut]
    mediators: list[str]
    moves: list[str] = Field(description="The moves of the dispute table open now.")

    @staticmethod
    def resolve_parties(d: Dispute) -> list:
        return list(d.parties.all())

    @staticmethod
    def resolve_sessions(d: Dispute) -> list:
        return list(d.sessions.all())

    @staticmethod
    def resolve_mediators(d: Dispute) -> list[str]:
        return [m.name for m in d.mediators.all()]

    @staticmethod
    def resolve_moves(d: Dispute) -> list[str]:
        return allowed_moves(d.state)


@router.get(
    "/disputes/{number}",
    response={200: DisputeDetailOut, **ERRORS},
    summary="One dispute, by its case number",
)
def get_dispute(request: HttpRequest, number: str):
    """Parties masked; 404 for a case the caller cannot see or that is no dispute, 403
    for one the caller sees but may not work on (another organisation's)."""
    user = _caller(request)
    case = visible_cases(user, Case.objects.filter(number=number[:MAX_NUMBER])).first()
    disputes = Dispute.objects.select_related("case", "type", "organisation")
    found = disputes.filter(case=case).first() if case is not None else None
    if found is None:
        raise not_found(_("There is no dispute %(number)s that you can see.") % {"number": number})
    why = services.refusal(user, found)
    if why:
        raise ActionRefused(why)
    return found


@router.get("/risk-board", response={200: list[DisputeOut], **ERRORS}, summary="The risk board")
def risk_board(request: HttpRequest, limit: int = Query(100, ge=1, le=MAX_LIMIT)):
    """Open disputes, red and orange first, nearest deadline first."""
    return list(queries.risk_board(_caller(request))[:limit])


# The endpoints after the agreement register on this router.
from . import aftercare_api  # noqa: E402, F401
