"""Mediation for other systems: the caller's disputes and the risk board (read-only).

A token sees what its user sees on the pages (``services.visible_disputes``); parties
are never in the answer, only their count.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from civicgrid.core.api import ERRORS, Input

from . import queries, services
from .models import Colour, Dispute, State

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
    state: State | None = None
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


@router.get("/risk-board", response={200: list[DisputeOut], **ERRORS}, summary="The risk board")
def risk_board(request: HttpRequest, limit: int = Query(100, ge=1, le=MAX_LIMIT)):
    """Open disputes, red and orange first, nearest deadline first."""
    return list(queries.risk_board(_caller(request))[:limit])
