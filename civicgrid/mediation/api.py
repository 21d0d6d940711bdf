"""Mediation for other systems: the caller's disputes and the risk board (read-only).

A token sees what its user sees on the pages (``services.visible_disputes``); parties
are never in the answer, only their count.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from civicgrid.accounts.models import Role
from civicgrid.cases.api import MAX_NUMBER, not_found
from civicgrid.cases.lifecycle import ActionRefused
from civicgrid.cases.models import Case
from civicgrid.cases.scope import visible_cases
from civicgrid.core.api import ERRORS, Input
from civicgrid.regions.models import Region

from . import queries, screening, services, statistics
from .lifecycle import allowed_moves
from .models import Colour, Dispute, DisputeState, Party, Source

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


# --- statistics and screening ----------------------------------------------------------


class StatisticsFilter(Input):
    group: Literal["organisation", "mediator", "source", "type", "month"] = "organisation"
    start: date | None = Field(None, description="First month (any day of it).")
    end: date | None = Field(None, description="Last month (any day of it).")
    organisation: int | None = None
    mediator: int | None = None
    source: Source | None = None
    type: str = Field("", max_length=8, description="First-level dispute type code.")


class StatisticsRowOut(Schema):
    key: str | None = Field(description="Organisation/mediator id, source, type or month.")
    label: str
    accepted: int
    succeeded: int
    rate: Decimal | None = Field(description="Succeeded / accepted in %, null with none accepted.")
    written: int
    oral: int
    amount: Decimal
    confirmations: int = Field(description="Judicial confirmation applied for.")
    confirmed: int = Field(description="The court confirmed the agreement.")
    rejected: int = Field(description="The court rejected the application.")
    pending: int = Field(description="Applied for, no ruling yet.")
    notarised: int = Field(description="The agreement was notarised instead.")
    performed: int
    prevented_criminal: int
    prevented_petition: int

    @staticmethod
    def resolve_key(row) -> str | None:
        return None if row.key is None else str(row.key)


class StatisticsOut(Schema):
    rows: list[StatisticsRowOut]
    total: StatisticsRowOut


def _may_see_statistics(user) -> None:
    if not (user.is_superuser or user.has_role(Role.LEADER, Role.ADMIN)):
        raise ActionRefused(_("Only the centre's leaders see the mediation statistics."))


@router.get(
    "/statistics",
    response={200: StatisticsOut, **ERRORS},
    summary="Mediation statistics (the monthly rollup)",
)
def get_statistics(request: HttpRequest, filters: Query[StatisticsFilter]):
    """What the statistics page shows under the same filters, for a leader's regions."""
    user = _caller(request)
    _may_see_statistics(user)
    rows, total = statistics.table(
        statistics.Filters(
            start=filters.start,
            end=filters.end,
            organisation=filters.organisation,
            mediator=filters.mediator,
            source=filters.source or "",
            type=filters.type,
            group=filters.group,
        ),
        statistics.scoped_organisations(user),
    )
    return {"rows": rows, "total": total}


class FindingIn(Input):
    type: str = Field(max_length=8, description="Dispute type code (second level).")
    summary: str = Field(max_length=4000)
    people_involved: int = Field(2, ge=1, le=1_000_000)


class ScreeningIn(Input):
    grid: str = Field(max_length=15, description="The grid's region code.")
    zero: bool = Field(False, description="Nothing found: a zero report (零报告).")
    findings: list[FindingIn] = Field(default_factory=list, max_length=screening.MAX_FINDINGS)
    note: str = Field("", max_length=2000)


class ScreeningOut(Schema):
    grid: str
    cadence: str
    period_start: date
    period_end: date
    zero: bool
    disputes: list[str] = Field(description="Case numbers of the disputes handed over.")


@router.post(
    "/screening",
    response={201: ScreeningOut, **ERRORS},
    summary="File this period's screening of a grid",
)
def file_screening(request: HttpRequest, body: ScreeningIn):
    """One report per grid and period (monthly; weekly in a sensitive period): the
    disputes found, each handed over to mediation, or a zero report."""
    user = _caller(request)
    filed = screening.file_report(
        actor=user,
        grid=Region.objects.filter(code=body.grid).first(),
        findings=[
            screening.FindingInput(f.type, f.summary, f.people_involved) for f in body.findings
        ],
        zero=body.zero,
        note=body.note,
    )
    report = filed.report
    return Status(
        201,
        {
            "grid": report.grid.code,
            "cadence": report.cadence,
            "period_start": report.period_start,
            "period_end": report.period_end,
            "zero": report.zero,
            "disputes": [d.case.number for d in filed.disputes],
        },
    )


class CommunityScreeningOut(Schema):
    community: str
    name: str
    grids: int
    filed: int = Field(description="Grids that filed this period.")
    overdue: list[str] = Field(description="Codes of the grids without last period's report.")


@router.get(
    "/screening/board",
    response={200: list[CommunityScreeningOut], **ERRORS},
    summary="Overdue screening per community",
)
def screening_board(request: HttpRequest):
    """The leader's regions: per community, the grids overdue (no report last period)."""
    user = _caller(request)
    _may_see_statistics(user)
    _, _previous, communities = screening.board(screening.leader_paths(user))
    return [
        {
            "community": c.community.code if c.community else "",
            "name": c.community.name if c.community else "",
            "grids": len(c.grids),
            "filed": c.filed,
            "overdue": [g.grid.code for g in c.grids if g.overdue],
        }
        for c in communities
    ]


# The endpoints after the agreement register on this router.
from . import aftercare_api  # noqa: E402, F401
