"""The figures of the one screen (一张图) and of the reports, counted on ``cases``.

Every figure is a ``cases.search.CaseFilter`` counted, so the case list behind a figure
(the link each figure carries) shows exactly the cases counted. A region's cases are the
ones placed in its subtree or, unplaced, owned by a centre in it (the list's rule).

Counting is done with a few grouped queries on indexed columns (``created_at``,
``region_path``, ``status``/``due_at``), never by reading the event log on a page view.

The intake (received, by channel) is counted on the cases, so the case list behind it
shows exactly the cases counted. The rates are the assessment's (``assessment.indicators``
over its rollup table ``DailyFigure``, kept current by ``civicgrid rollup``), so the
screen, the reports and the red/black list agree:
  响应率 acknowledged on time ÷ dispatched;
  解决率 resolved ÷ called back;
  满意率 (satisfied + basically satisfied) ÷ rated.
A rate with nothing to divide by is ``None`` (shown as "—"), never a division by zero.
Open, overdue and active alerts are counts of now, on the indexed status/deadline columns.
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Left
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.assessment.indicators import indicators
from civicgrid.cases.models import CLOSED_STATUSES, Case, Channel, Rating, Status
from civicgrid.cases.scope import region_paths
from civicgrid.cases.search import CaseFilter
from civicgrid.regions.models import LEVEL_ORDER, Level, Region

from .periods import Period

SATISFIED = (Rating.SATISFIED, Rating.BASICALLY)


def rate(part: int, whole: int) -> float | None:
    """``part`` ÷ ``whole`` as a percentage with one decimal, None when ``whole`` is 0."""
    return round(100 * part / whole, 1) if whole else None


def case_list_url(**filters) -> str:
    """The case list showing the cases of these filters (empty ones left out)."""
    query = {k: v for k, v in filters.items() if v not in ("", None)}
    return reverse("cases:list") + ("?" + urlencode(query) if query else "")


def period_filters(period: Period) -> dict[str, str]:
    return {"created_after": period.start.isoformat(), "created_before": period.end.isoformat()}


# --- whose screen, which region -------------------------------------------------------


def roots(user) -> list[Region]:
    """The regions at the top of ``user``'s screen: their grants' regions, the whole city
    for an administrator."""
    if user.is_superuser or user.has_role(Role.ADMIN):
        return list(Region.objects.filter(parent__isnull=True).defer("boundary").order_by("code"))
    paths = region_paths(user)
    return list(Region.objects.filter(path__in=paths).defer("boundary").order_by("path"))


def region_for(user, code: str | None) -> Region | None:
    """The region ``code`` if ``user`` may look at it (their roots and below), else None;
    without a code, their first root."""
    tops = roots(user)
    if not code:
        return tops[0] if tops else None
    region = Region.objects.filter(code=code).defer("boundary").first()
    if region is None or not any(region.path.startswith(t.path) for t in tops):
        return None
    return region


def in_region(region: Region) -> Q:
    path = region.path
    return Q(region_path__startswith=path) | Q(region_path="", owner_region__path__startswith=path)


# --- the key figures ------------------------------------------------------------------


@dataclass
class Figure:
    """One number on the screen, with the case list behind it."""

    label: str
    value: int | float | None
    url: str
    key: str = ""


@dataclass
class KeyFigures:
    region: Region
    period: Period
    received: int
    by_channel: list[Figure]
    open: Figure
    overdue: Figure
    rates: list[Figure]
    alerts: Figure
    received_url: str = ""
    counts: dict = field(default_factory=dict)


def period_counts(cases: QuerySet) -> dict[str, int]:
    """The counts the rates are made of, in one query."""
    return cases.aggregate(
        received=Count("id"),
        merged=Count("id", filter=Q(status=Status.MERGED)),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
        rated=Count("id", filter=~Q(rating="")),
        satisfied=Count("id", filter=Q(rating__in=SATISFIED)),
    )


def as_percent(fraction: float | None) -> float | None:
    return None if fraction is None else round(100 * fraction, 1)


def three_rates(fractions: dict[str, float | None]) -> dict[str, float | None]:
    return {key: as_percent(fractions.get(key)) for key in RATE_LABELS}


def rates_in(region: Region, period: Period) -> dict[str, float | None]:
    """The three rates of ``region`` over ``period`` from the assessment's rollup."""
    (total,) = indicators(period.start, period.last_day, "all", within_path=region.path)
    return three_rates(total.rates)


RATE_LABELS = {
    "response": "Response rate",
    "resolution": "Resolution rate",
    "satisfaction": "Satisfaction rate",
}


def received_in(region: Region, period: Period) -> QuerySet:
    after, before = period.bounds()
    return Case.objects.filter(in_region(region), created_at__gte=after, created_at__lt=before)


def key_figures(region: Region, period: Period, now: datetime | None = None) -> KeyFigures:
    """The screen's figures for ``region`` over ``period``; open and overdue are now."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    received = received_in(region, period)
    counts = period_counts(received.order_by())
    rates = rates_in(region, period)
    by_channel = dict(
        received.order_by().values_list("channel").annotate(n=Count("id")).values_list("channel", "n")
    )
    within = {"region": region.code, **period_filters(period)}
    channels = [
        Figure(str(label), by_channel.get(value, 0), case_list_url(channel=value, **within), value)
        for value, label in Channel.choices
        if by_channel.get(value, 0)
    ]
    now_counts = Case.objects.filter(in_region(region)).order_by().aggregate(
        open=Count("id", filter=~Q(status__in=CLOSED_STATUSES)),
        overdue=Count("id", filter=~Q(status__in=CLOSED_STATUSES) & Q(due_at__lt=now)),
        alerts=Count("id", filter=~Q(status__in=CLOSED_STATUSES) & Q(channel=Channel.SENSOR)),
    )
    rate_links = {
        "response": case_list_url(**within),
        "resolution": case_list_url(group="closed", **within),
        "satisfaction": case_list_url(group="closed", **within),
    }
    return KeyFigures(
        region=region,
        period=period,
        received=counts["received"],
        by_channel=channels,
        open=Figure(_("Open"), now_counts["open"], case_list_url(group="open", region=region.code)),
        overdue=Figure(
            _("Overdue"), now_counts["overdue"], case_list_url(light="red", region=region.code)
        ),
        rates=[Figure(_(RATE_LABELS[k]), v, rate_links[k], k) for k, v in rates.items()],
        alerts=Figure(
            _("Active alerts"),
            now_counts["alerts"],
            case_list_url(channel=Channel.SENSOR, group="open", region=region.code),
        ),
        received_url=case_list_url(**within),
        counts=counts,
    )


# --- drill-down -------------------------------------------------------------------------


@dataclass
class Row:
    """One child region with its totals."""

    region: Region
    received: int = 0
    open: int = 0
    overdue: int = 0
    closed: int = 0
    satisfied: int = 0
    rated: int = 0
    rates: dict = field(default_factory=dict)
    received_url: str = ""
    open_url: str = ""
    overdue_url: str = ""

    @property
    def satisfaction(self) -> float | None:
        return self.rates.get("satisfaction")

    @property
    def response(self) -> float | None:
        return self.rates.get("response")

    @property
    def can_drill(self) -> bool:
        return self.region.level != Level.GRID


def _grouped(cases: QuerySet, length: int, **counts) -> dict[str, dict[str, int]]:
    """Counts per child path prefix: placed cases by their path, unplaced by their owner's."""
    out: dict[str, dict[str, int]] = {}
    for source, rows in (
        ("region_path", cases.exclude(region_path="")),
        ("owner_region__path", cases.filter(region_path="")),
    ):
        grouped = (
            rows.order_by()
            .annotate(prefix=Left(source, length))
            .values("prefix")
            .annotate(**counts)
        )
        for row in grouped:
            slot = out.setdefault(row.pop("prefix") or "", dict.fromkeys(counts, 0))
            for key, value in row.items():
                slot[key] += value
    return out


def drill_down(region: Region, period: Period, now: datetime | None = None) -> list[Row]:
    """The children of ``region`` with their totals (received, closed and rated in the
    period; open and overdue now). A region without children gives no rows."""
    now = now or timezone.now()
    children = list(region.children.defer("boundary").order_by("code"))
    if not children:
        return []
    length = len(children[0].path)
    after, before = period.bounds()
    scope = Case.objects.filter(in_region(region))
    received = _grouped(
        scope.filter(created_at__gte=after, created_at__lt=before),
        length,
        received=Count("id"),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
        rated=Count("id", filter=~Q(rating="")),
        satisfied=Count("id", filter=Q(rating__in=SATISFIED)),
    )
    running = _grouped(
        scope.exclude(status__in=CLOSED_STATUSES),
        length,
        open=Count("id"),
        overdue=Count("id", filter=Q(due_at__lt=now)),
    )
    assessed = {
        f.id: three_rates(f.rates)
        for f in indicators(
            period.start,
            period.last_day,
            children[0].level,
            [c.pk for c in children],
            within_path=region.path,
        )
    }
    rows = []
    within = period_filters(period)
    for child in children:
        row = Row(
            child,
            **received.get(child.path, {}),
            **running.get(child.path, {}),
            rates=assessed.get(child.pk, {}),
        )
        row.received_url = case_list_url(region=child.code, **within)
        row.open_url = case_list_url(region=child.code, group="open")
        row.overdue_url = case_list_url(region=child.code, light="red")
        rows.append(row)
    return rows


def lineage(region: Region, top: Region) -> list[Region]:
    """The regions from ``top`` down to ``region`` (the breadcrumb of the drill-down)."""
    return [r for r in (*region.ancestors(), region) if r.path.startswith(top.path)]


def next_level(region: Region) -> str:
    index = LEVEL_ORDER.index(region.level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else ""


def check_filter_agrees(region: Region, period: Period) -> bool:
    """Whether the case list filter selects as many cases as the screen counts (a self
    check the tests and the benchmark use)."""
    after, before = period.bounds()
    listed = CaseFilter(region=region.code, created_after=after, created_before=before)
    return listed.apply(Case.objects.all()).count() == received_in(region, period).count()
