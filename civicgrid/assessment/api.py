"""The assessment for other systems (``/api/assessment``): indicators of any period,
the month's scores, and the schemes. Readers: assessment officers, leaders, admins;
only an assessment officer (or an admin) adds a scheme."""

from datetime import date
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from civicgrid.core.api import ERRORS, Input, InvalidInput

from . import services
from .forms import parse_month
from .indicators import LEVELS, RATES, STAGES, indicators
from .models import Scheme

router = Router(tags=["assessment"])
MAX_IDS = 200


class AssessmentLevel(StrEnum):
    """``indicators.LEVELS``."""

    ALL = "all"
    UNIT = "unit"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    PERSON = "person"


class ScoredLevel(StrEnum):
    """``services.SCORED_LEVELS``."""

    UNIT = "unit"
    COMMUNITY = "community"
    GRID = "grid"


assert {level.value for level in AssessmentLevel} == set(LEVELS)
assert {level.value for level in ScoredLevel} == set(services.SCORED_LEVELS)


def _reader(request: HttpRequest):
    user = request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth
    if not services.may_read(user):
        raise PermissionDenied(_("Only assessment officers and leaders read the assessment."))
    return user


class StageOut(Schema):
    should: int = Field(description="应X数: should have happened")
    done: int = Field(description="X数: happened")
    on_time: int = Field(description="按时X数")
    late: int = Field(description="超时X数")


class IndicatorRowOut(Schema):
    level: str
    id: int | None = Field(description="Department, region or user id; null for 'all'.")
    name: str
    has_data: bool = Field(description="False: no case event counted (rates are all null).")
    counts: dict[str, int]
    rates: dict[str, float | None] = Field(
        description="Fractions 0–1; null when the denominator is 0. Codes: "
        + ", ".join(r.code for r in RATES)
    )
    stages: dict[str, StageOut] = Field(
        description="Per step: " + ", ".join(s.code for s in STAGES)
    )


class IndicatorQueryIn(Input):
    start: date
    end: date
    level: AssessmentLevel = AssessmentLevel.UNIT
    ids: str = Field("", max_length=2000, description="Comma-separated ids; empty: all.")


def _ids(text: str) -> list[int] | None:
    if not text.strip():
        return None
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput("ids", _("Give the ids as whole numbers separated by commas.")) from None
    if len(ids) > MAX_IDS:
        raise InvalidInput("ids", _("At most %(max)d ids.") % {"max": MAX_IDS})
    return ids


@router.get(
    "/indicators",
    response={200: list[IndicatorRowOut], **ERRORS},
    summary="Indicators of a period",
)
def list_indicators(request: HttpRequest, query: Query[IndicatorQueryIn]):
    """The hotline rates and the 数字城管 stage counts per unit, region or person over
    ``start``–``end`` (both included), from the daily figures. A period or a unit with
    no data answers rows with ``has_data`` false and null rates, never an error."""
    _reader(request)
    if query.end < query.start:
        raise InvalidInput("end", _("The period ends before it starts."))
    if (query.end - query.start).days > 366 * 3:
        raise InvalidInput("end", _("Choose a period of at most three years."))
    rows = indicators(query.start, query.end, query.level.value, _ids(query.ids))
    return [
        {
            "level": row.level,
            "id": row.id,
            "name": row.name,
            "has_data": row.has_data,
            "counts": row.counts,
            "rates": row.rates,
            "stages": row.stages,
        }
        for row in rows
    ]


class PartOut(Schema):
    indicator: str
    weight: int
    rate: float | None
    points: float | None = Field(description="0–100 before weighting; null: no figure.")


class ScoreOut(Schema):
    id: int
    name: str
    score: float | None = Field(description="0–100; null when the unit has no figure.")
    grade: str = Field(description="A, B, C or D; empty without a score.")
    has_data: bool
    parts: list[PartOut]


class SchemeOut(Schema):
    id: int
    name: str
    valid_from: date
    weights: dict[str, int]
    grade_a: int
    grade_b: int
    grade_c: int
    red_size: int
    black_size: int


class ScoresOut(Schema):
    month: str
    scheme: SchemeOut | None = Field(description="The scheme in force on the month's first day.")
    has_data: bool
    rows: list[ScoreOut]


class ScoresQueryIn(Input):
    month: str = Field(max_length=7, description="YYYY-MM")
    level: ScoredLevel = ScoredLevel.UNIT


@router.get("/scores", response={200: ScoresOut, **ERRORS}, summary="The month's scores")
def list_scores(request: HttpRequest, query: Query[ScoresQueryIn]):
    """Each unit's (community's, grid's) score for the month by the scheme in force then,
    best first; without a scheme, ``scheme`` is null and there are no rows."""
    _reader(request)
    month = parse_month(query.month)
    if month is None:
        raise InvalidInput("month", _("Give the month as YYYY-MM."))
    found = services.scores(month, query.level.value)
    return {
        "month": f"{month:%Y-%m}",
        "scheme": found.scheme,
        "has_data": found.has_data,
        "rows": [
            {
                "id": row.id,
                "name": row.name,
                "score": row.score,
                "grade": row.grade,
                "has_data": row.has_data,
                "parts": [
                    {"indicator": p.code, "weight": p.weight, "rate": p.rate, "points": p.points}
                    for p in row.parts
                ],
            }
            for row in found.rows
        ],
    }


@router.get("/schemes", response={200: list[SchemeOut], **ERRORS}, summary="Assessment schemes")
def list_schemes(request: HttpRequest):
    """Every version, the newest first."""
    _reader(request)
    return list(Scheme.objects.order_by("-valid_from"))


class SchemeIn(Input):
    name: str = Field(max_length=100)
    valid_from: date = Field(description="The first day of a month.")
    weights: dict[str, int] = Field(description="Indicator code → weight; they add up to 100.")
    grade_a: int = Field(90, ge=1, le=100)
    grade_b: int = Field(75, ge=1, le=100)
    grade_c: int = Field(60, ge=1, le=100)
    red_size: int = Field(3, ge=0, le=50)
    black_size: int = Field(3, ge=0, le=50)


@router.post("/schemes", response={201: SchemeOut, **ERRORS}, summary="Add a scheme version")
def add_scheme(request: HttpRequest, payload: SchemeIn):
    """A new version of the scheme; refused (400) when the weights do not add up to 100."""
    user = request.auth  # type: ignore[attr-defined]
    if not services.may_manage(user):
        raise PermissionDenied(_("Only an assessment officer keeps the assessment schemes."))
    if len(payload.weights) > 50:
        raise InvalidInput("weights", _("Give each indicator its weight."))
    try:
        scheme = services.save_scheme(actor=user, **payload.dict())
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(field if field != "__all__" else "weights", messages[0]) from None
    return Status(201, scheme)
