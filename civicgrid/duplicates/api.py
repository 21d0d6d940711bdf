"""Duplicates API: possible duplicates of a report before it is filed, supporters (+1) of
a case, and the hot issues.

``GET /api/duplicates/candidates`` is what a citizen page calls before submitting
("Same problem?"), and ``POST /api/cases/{number}/supporters`` what it calls when the
citizen joins a case instead of filing a new one.
"""

from datetime import datetime

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from civicgrid.cases.api import not_found
from civicgrid.cases.models import Case, Channel
from civicgrid.cases.scope import visible_cases
from civicgrid.cases.services import default_centre
from civicgrid.core.api import ERRORS, Input, InvalidInput
from civicgrid.regions.datum import Datum
from civicgrid.regions.locator import locate
from civicgrid.routing import catalogue

from . import services
from .candidates import LIKELY_DUPLICATE, WINDOW_DAYS, find_candidates
from .models import Supporter
from .queries import visible_hot_issues

router = Router(tags=["duplicates"])
supporters_router = Router(tags=["duplicates"])

MAX_NUMBER = Case._meta.get_field("number").max_length


class CandidateQuery(Input):
    title: str = Field("", max_length=200)
    content: str = Field("", max_length=5000)
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    datum: Datum = Field(Datum.WGS84, description="Datum of lng/lat.")
    category: str | None = Field(None, max_length=20, description="Category code.")
    window_days: int = Field(WINDOW_DAYS, ge=1, le=365, description="How far back to look.")
    limit: int = Field(5, ge=1, le=20)


class Ref(Schema):
    code: str
    name: str


class CandidateOut(Schema):
    number: str
    title: str
    status: str
    created_at: datetime
    grid: Ref | None
    score: float = Field(description="Likeness of the texts, 0–1.")
    likely: bool = Field(description="Likely the same problem (score ≥ threshold).")
    same_grid: bool
    supporters: int


class CandidatesOut(Schema):
    threshold: float
    grid: Ref | None = Field(description="The grid the point lies in.")
    scanned: int = Field(description="How many nearby open cases were compared.")
    reason: str = Field(description="Why nothing was looked for: no_place, or empty.")
    message: str
    candidates: list[CandidateOut]


class SupporterIn(Input):
    phone: str = Field(min_length=1, max_length=20)
    name: str = Field("", max_length=50)
    channel: Channel = Channel.CITIZEN


class SupporterOut(Schema):
    contact: str = Field(description="masked")
    channel: str
    created_at: datetime


class SupportersOut(Schema):
    case: str
    count: int
    supporters: list[SupporterOut]


class HotIssueOut(Schema):
    key: str = Field(description="Number of the issue's first case.")
    title: str
    heat: float
    reports: int
    reporters: int
    supporters: int
    open_cases: int
    trend: int = Field(description="+1 rising, -1 falling, 0 steady (week on week).")
    lng: float | None
    lat: float | None
    first_seen: datetime
    last_seen: datetime

    @staticmethod
    def resolve_heat(issue) -> float:
        return issue.heat_now  # as at this moment, not at the last refresh


def _grid_ref(grid) -> dict | None:
    return {"code": grid.code, "name": grid.name} if grid is not None else None


def _place(query: CandidateQuery):
    if (query.lng is None) != (query.lat is None):
        raise InvalidInput("lng", _("Give both longitude and latitude, or neither."))
    if query.lng is None:
        return None
    try:
        return locate(query.lng, query.lat, query.datum.value).grid
    except ValueError as exc:
        raise InvalidInput("lng", str(exc)) from exc


@router.get(
    "/candidates",
    response={200: CandidatesOut, **ERRORS},
    summary="Open cases nearby that may be the same problem",
)
def candidates(request: HttpRequest, query: Query[CandidateQuery]):
    """Open cases of the point's grid and its neighbours from the last ``window_days``
    days, most alike first; ``likely`` marks those above the duplicate threshold. With no
    point, cases of ``category`` at the caller's centre are compared."""
    category = None
    if query.category:
        category = catalogue.category(query.category)
        if category is None:
            raise InvalidInput(
                "category",
                _("There is no active category with code %(code)s.") % {"code": query.category},
            )
    grid = _place(query)
    found = find_candidates(
        query.title,
        query.content,
        grid,
        category=category,
        centre=default_centre(request.auth),
        window_days=query.window_days,
        limit=query.limit,
        actor=request.auth,
    )
    counts = dict(
        Supporter.objects.filter(case__in=[c.case.pk for c in found.items])
        .values_list("case")
        .annotate(n=Count("id"))
    )
    return {
        "threshold": LIKELY_DUPLICATE,
        "grid": _grid_ref(grid),
        "scanned": found.scanned,
        "reason": found.reason,
        "message": found.reason_text,
        "candidates": [
            {
                "number": c.case.number,
                "title": c.case.title,
                "status": c.case.status,
                "created_at": c.case.created_at,
                "grid": _grid_ref(c.grid),
                "score": round(c.score, 3),
                "likely": c.likely,
                "same_grid": c.same_grid,
                "supporters": counts.get(c.case.pk, 0),
            }
            for c in found.items
        ],
    }


@router.get("/hot-issues", response={200: list[HotIssueOut], **ERRORS}, summary="Hot issues")
def hot_issues(request: HttpRequest, limit: int = Query(50, ge=1, le=500)):
    """Clusters of recent cases about the same problem in your regions, hottest first."""
    return list(visible_hot_issues(request.auth)[:limit])


def _visible_case(request: HttpRequest, number: str) -> Case:
    case = None
    if len(number) <= MAX_NUMBER and "\x00" not in number:
        case = visible_cases(request.auth, Case.objects.filter(number=number)).first()
    if case is None:
        raise not_found(_("There is no case %(number)s that you can see.") % {"number": number})
    return case


def _supporters(case: Case) -> dict:
    rows = list(case.supporters.all())
    return {"case": case.number, "count": len(rows), "supporters": rows}


@supporters_router.get(
    "/{number}/supporters", response={200: SupportersOut, **ERRORS}, summary="Supporters (+1)"
)
def list_supporters(request: HttpRequest, number: str):
    return _supporters(_visible_case(request, number))


@supporters_router.post(
    "/{number}/supporters",
    response={201: SupportersOut, **ERRORS},
    summary="Join a case (+1) instead of filing a duplicate",
)
def join_case(request: HttpRequest, number: str, payload: SupporterIn):
    """The caller has the same problem: count them on the case. A merged case is joined
    through the case it was merged into; the same phone joins a case once."""
    case = _visible_case(request, number)
    supporter = services.join(
        case,
        phone=payload.phone,
        name=payload.name,
        channel=payload.channel.value,
        actor=request.auth,
    )
    return Status(201, _supporters(supporter.case))
