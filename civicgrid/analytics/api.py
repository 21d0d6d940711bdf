"""The one screen's figures and the reports for other systems (a wall display, a
provincial platform): ``GET /api/analytics/figures`` and ``GET /api/analytics/reports/{kind}``.

Read-only, for the roles that open the leaders' screen; a region outside the caller's
area is a 404, a bad period a 400.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from civicgrid.accounts.pages import may_open
from civicgrid.core.api import ERRORS, Input, InvalidInput

from . import figures, reports
from .periods import BadPeriod, from_query

router = Router(tags=["analytics"])


def _caller(request: HttpRequest):
    user = request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth
    if not may_open(user, "screen"):
        raise PermissionDenied(_("Only leaders read the analytics."))
    return user


def _region(user, code: str | None):
    region = figures.region_for(user, code)
    if region is None:
        raise Http404(_("No such region in your area."))
    return region


class AnalyticsFigureOut(Schema):
    label: str
    value: float | None
    cases_url: str = Field(description="The case list of the cases counted.")
    key: str = ""


class AnalyticsAreaOut(Schema):
    code: str
    name: str
    level: str
    received: int
    open: int
    overdue: int
    closed: int
    satisfaction_rate: float | None


class AnalyticsFiguresOut(Schema):
    region: str
    start: date
    end: date = Field(description="The last day of the period (inclusive).")
    received: int
    by_channel: list[AnalyticsFigureOut]
    open: int
    overdue: int
    active_alerts: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    areas: list[AnalyticsAreaOut]


class AnalyticsPeriodIn(Input):
    region: str | None = Field(None, max_length=20, description="Region code; yours by default.")
    period: str = Field("today", pattern="^(today|week|month|custom)$")
    start: date | None = None
    end: date | None = None


def _fig(f: figures.Figure) -> dict:
    return {"label": str(f.label), "value": f.value, "cases_url": f.url, "key": f.key}


@router.get(
    "/figures", response={200: AnalyticsFiguresOut, **ERRORS}, summary="The one screen's figures"
)
def screen_figures(request: HttpRequest, params: Query[AnalyticsPeriodIn]):
    """Key figures of a region over a period and its children's totals (the drill-down)."""
    user = _caller(request)
    region = _region(user, params.region)
    try:
        period = from_query(
            {
                "period": params.period,
                "start": params.start and params.start.isoformat(),
                "end": params.end and params.end.isoformat(),
            }
        )
    except BadPeriod as bad:
        raise InvalidInput("period", str(bad.message)) from None
    seen = figures.overview(region, period)
    key = seen.figures
    rates = {r.key: r.value for r in key.rates}
    return {
        "region": region.code,
        "start": period.start,
        "end": period.last_day,
        "received": key.received,
        "by_channel": [_fig(c) for c in key.by_channel],
        "open": key.open.value,
        "overdue": key.overdue.value,
        "active_alerts": key.alerts.value,
        "response_rate": rates["response"],
        "resolution_rate": rates["resolution"],
        "satisfaction_rate": rates["satisfaction"],
        "areas": [
            {
                "code": row.region.code,
                "name": row.region.name,
                "level": row.region.level,
                "received": row.received,
                "open": row.open,
                "overdue": row.overdue,
                "closed": row.closed,
                "satisfaction_rate": row.satisfaction,
            }
            for row in seen.rows
        ],
    }


class AnalyticsLineOut(Schema):
    name: str
    received: int
    closed: int
    overdue: int
    resolution_rate: float | None
    satisfaction_rate: float | None


class AnalyticsReportOut(Schema):
    kind: str
    title: str
    region: str
    start: date
    end: date
    empty: bool = Field(description="No case was received in the period.")
    received: int
    received_before: int = Field(description="Received in the period just before.")
    closed: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    by_channel: list[AnalyticsLineOut]
    by_category: list[AnalyticsLineOut]
    by_area: list[AnalyticsLineOut]
    worst_units: list[AnalyticsLineOut]


class AnalyticsReportIn(Input):
    region: str | None = Field(None, max_length=20)
    on: date | None = Field(None, description="A day inside the period; today by default.")


def _lines(lines: list[reports.Line]) -> list[dict]:
    return [
        {
            "name": x.name,
            "received": x.received,
            "closed": x.closed,
            "overdue": x.overdue,
            "resolution_rate": x.resolution,
            "satisfaction_rate": x.satisfaction,
        }
        for x in lines
    ]


@router.get(
    "/reports/{kind}",
    response={200: AnalyticsReportOut, **ERRORS},
    summary="A daily, weekly or monthly report",
)
def report(request: HttpRequest, kind: str, params: Query[AnalyticsReportIn]):
    """``kind`` is ``day``, ``week`` or ``month``."""
    user = _caller(request)
    region = _region(user, params.region)
    try:
        period = reports.period_of(kind, {"on": params.on and params.on.isoformat()})
    except BadPeriod as bad:
        raise InvalidInput("kind", str(bad.message)) from None
    data = reports.kept(region, period)
    return {
        "kind": data.kind,
        "title": data.title,
        "region": region.code,
        "start": period.start,
        "end": period.last_day,
        "empty": data.empty,
        "received": data.counts["received"],
        "received_before": data.previous_received,
        "closed": data.counts["closed"],
        "response_rate": data.rates["response"],
        "resolution_rate": data.rates["resolution"],
        "satisfaction_rate": data.rates["satisfaction"],
        "by_channel": _lines(data.by_channel),
        "by_category": _lines(data.by_category),
        "by_area": _lines(data.by_area),
        "worst_units": _lines(data.worst_units),
    }
