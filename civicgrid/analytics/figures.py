"""The figures of the one screen (一张图) and of the reports, counted on ``cases``.

Every figure is a ``cases.search.CaseFilter`` counted, so the case list behind a figure
(the link each figure carries) shows exactly the cases counted. A region's cases are the
ones placed in its subtree or, unplaced, owned by a centre in it (the list's rule).

Counting is done with a few grouped queries on indexed columns (``created_at``,
``region_path``, ``status``/``due_at``), never by reading the event log on a page view.

The intake (received, by channel) is counted on the cases, so the case list behind it
shows exactly the cases counted. The rates are the assessment's (``assessment.indicators``
over its coarse rollup table ``AreaFigure``, read once per page grouped by region path,
kept current by ``civicgrid rollup``), so the screen, the reports and the red/black list
agree:
  响应率 acknowledged on time ÷ dispatched;
  解决率 resolved ÷ called back;
  满意率 (satisfied + basically satisfied) ÷ rated.
A rate with nothing to divide by is ``None`` (shown as "—"), never a division by zero.
Open, overdue and active alerts are counts of now, on the indexed status/deadline columns.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Left
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from civicgrid.accounts.models import Role
from civicgrid.assessment.indicators import rates_of, sums_by_path
from civicgrid.cases.models import CLOSED_ORDER, Case, Channel, Rating, Status
from civicgrid.cases.scope import region_paths
from civicgrid.regions.models import Level, Region

from .models import IntakeCount, OpenCount
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
    return Q(region_path__startswith=path) | Q(region_path="", owner_path__startswith=path)


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
        received=Count("region_path"),
        merged=Count("region_path", filter=Q(status=Status.MERGED)),
        closed=Count("region_path", filter=Q(status=Status.CLOSED)),
        rated=Count("region_path", filter=~Q(rating="")),
        satisfied=Count("region_path", filter=Q(rating__in=SATISFIED)),
    )


def as_percent(fraction: float | None) -> float | None:
    return None if fraction is None else round(100 * fraction, 1)


def three_rates(fractions: dict[str, float | None]) -> dict[str, float | None]:
    return {key: as_percent(fractions.get(key)) for key in RATE_LABELS}


RATE_LABELS = {
    "response": gettext_lazy("Response rate"),
    "resolution": gettext_lazy("Resolution rate"),
    "satisfaction": gettext_lazy("Satisfaction rate"),
}


def received_in(region: Region, period: Period) -> QuerySet:
    after, before = period.bounds()
    return Case.objects.filter(in_region(region), created_at__gte=after, created_at__lt=before)


PERIOD_COUNTS = {
    "received": Count("region_path"),
    "closed": Count("region_path", filter=Q(status=Status.CLOSED)),
    "rated": Count("region_path", filter=~Q(rating="")),
    "satisfied": Count("region_path", filter=Q(rating__in=SATISFIED)),
}


def _now_counts(now: datetime) -> dict:
    return {
        "open": Count("region_path"),
        "overdue": Count("region_path", filter=Q(due_at__lt=now)),
        "alerts": Count("region_path", filter=Q(channel=Channel.SENSOR)),
    }


def _scan(
    region: Region,
    cases: QuerySet,
    length: int,
    extra: tuple,
    counts: dict,
    owner: str = "owner_region__path",
) -> list[dict]:
    """Counts of ``cases`` in ``region`` per path prefix of ``length`` (and ``extra``
    columns): placed cases by their path, unplaced ones by their owner's. Two queries,
    each on one column, so each can use its index (an OR across the join could not)."""
    rows: list[dict] = []
    for source, part in (
        ("region_path", cases.filter(region_path__startswith=region.path)),
        (owner, cases.filter(region_path="", **{f"{owner}__startswith": region.path})),
    ):
        if length:
            part = part.annotate(prefix=Left(source, length))
        else:
            part = part.annotate(prefix=Value(""))
        rows.extend(part.order_by().values("prefix", *extra).annotate(**counts))
    return rows


def _sum(rows: list[dict], key: str | None, names) -> dict:
    """``rows`` summed per value of ``key`` (all together when None)."""
    out: dict = {}
    for row in rows:
        slot = out.setdefault(row[key] if key else None, dict.fromkeys(names, 0))
        for name in names:
            slot[name] += row[name]
    return out


def counted(children: list[Region]) -> bool:
    """Whether a screen whose children are ``children`` reads the counters
    (``IntakeCount``, ``OpenCount``: a grid's cases are counted at its community), or
    counts its own cases (a community's screen, whose children are grids, or a grid's)."""
    return bool(children) and all(child.level != Level.GRID for child in children)


def _scan_cases(region: Region, period: Period, length: int, now: datetime):
    """The period's intake and the open cases now, counted on the cases (small areas)."""
    after, before = period.bounds()
    received = _scan(
        region,
        Case.objects.filter(created_at__gte=after, created_at__lt=before),
        length,
        ("channel",),
        PERIOD_COUNTS,
    )
    # Spelled as the partial index cases_case_open_by_area is, so it is used.
    running = _scan(
        region, Case.objects.exclude(status__in=CLOSED_ORDER), length, (), _now_counts(now)
    )
    return received, running


def intake_rows(region: Region, period: Period, length: int, extra: tuple = ()) -> list[dict]:
    """The period's intake per path prefix of ``length`` and channel (and ``extra``
    columns), from ``IntakeCount``: the rows ``_scan`` gives over the cases."""
    rows = IntakeCount.objects.filter(
        day__gte=period.start, day__lt=period.end, area_path__startswith=region.path
    )
    if length:
        rows = rows.annotate(prefix=Left("area_path", length))
    else:
        rows = rows.annotate(prefix=Value(""))
    sums = {c: Coalesce(Sum(c), 0) for c in PERIOD_COUNTS}
    return list(rows.order_by().values("prefix", "channel", *extra).annotate(**sums))


def open_rows(region: Region, length: int, now: datetime) -> list[dict]:
    """Open, overdue (``due_at < now``) and active alerts now per path prefix, from
    ``OpenCount`` (deadline days before today, UTC, are past) plus a live count of the
    open cases due since midnight (UTC) and before ``now``."""
    utc = now.astimezone(UTC)
    today = utc.strftime("%Y-%m-%d")
    since = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = OpenCount.objects.filter(area_path__startswith=region.path).annotate(
        prefix=Left("area_path", length)
    )
    found = list(
        rows.order_by()
        .values("prefix")
        .annotate(
            open=Coalesce(Sum("open_cases"), 0),
            overdue=Coalesce(Sum("open_cases", filter=Q(due_day__lt=today) & ~Q(due_day="")), 0),
            alerts=Coalesce(Sum("open_cases", filter=Q(alert=True)), 0),
        )
    )
    # Spelled as the partial index cases_case_open_by_due is, so it is used.
    recent = Case.objects.exclude(status__in=CLOSED_ORDER).filter(due_at__gte=since, due_at__lt=now)
    late = _scan(region, recent, length, (), {"overdue": Count("due_at")}, owner="owner_path")
    by_prefix: dict[str, dict] = {row["prefix"]: dict(row) for row in found}
    for row in late:
        slot = by_prefix.setdefault(
            row["prefix"], {"prefix": row["prefix"], "open": 0, "overdue": 0, "alerts": 0}
        )
        slot["overdue"] += row["overdue"]
    return list(by_prefix.values())


@dataclass
class Overview:
    """The screen's figures and its drill-down rows, counted together."""

    figures: KeyFigures
    rows: list["Row"]
    # The period's grouped counts per (path prefix, channel), for the reports.
    period_rows: list[dict] = field(default_factory=list)


def overview(region: Region, period: Period, now: datetime | None = None) -> Overview:
    """Key figures of ``region`` over ``period`` and its children's totals: two grouped
    scans of the cases (received in the period; open now, on the open statuses) and two
    reads of the assessment's rollup for the rates."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    children = list(region.children.defer("boundary").order_by("code"))
    length = len(children[0].path) if children else len(region.path)
    if counted(children):
        received = intake_rows(region, period, length)
        running = open_rows(region, length, now)
    else:
        received, running = _scan_cases(region, period, length, now)
    total = _sum(received, None, PERIOD_COUNTS).get(None, dict.fromkeys(PERIOD_COUNTS, 0))
    now_total = _sum(running, None, ("open", "overdue", "alerts")).get(
        None, dict.fromkeys(("open", "overdue", "alerts"), 0)
    )
    by_channel = _sum(received, "channel", ("received",))
    within = {"region": region.code, **period_filters(period)}
    # One grouped read of the assessment's rollup gives the rates of the region and of
    # each child (a child sums the paths below its own).
    per_path = sums_by_path(
        period.start, period.last_day, region.path, by_community=counted(children)
    )
    rates = three_rates(rates_of(_add_up(per_path.values())))
    rate_links = {
        "response": case_list_url(**within),
        "resolution": case_list_url(group="closed", **within),
        "satisfaction": case_list_url(group="closed", **within),
    }
    key = KeyFigures(
        region=region,
        period=period,
        received=total["received"],
        by_channel=[
            Figure(
                str(label),
                by_channel[value]["received"],
                case_list_url(channel=value, **within),
                value,
            )
            for value, label in Channel.choices
            if by_channel.get(value, {}).get("received")
        ],
        open=Figure(_("Open"), now_total["open"], case_list_url(group="open", region=region.code)),
        overdue=Figure(
            _("Overdue"), now_total["overdue"], case_list_url(light="red", region=region.code)
        ),
        rates=[Figure(str(RATE_LABELS[k]), v, rate_links[k], k) for k, v in rates.items()],
        alerts=Figure(
            _("Active alerts"),
            now_total["alerts"],
            case_list_url(channel=Channel.SENSOR, group="open", region=region.code),
        ),
        received_url=case_list_url(**within),
        counts=total,
    )
    rows = _rows(children, period, received, running, per_path) if children else []
    return Overview(key, rows, received)


def key_figures(region: Region, period: Period, now: datetime | None = None) -> KeyFigures:
    """The screen's figures for ``region`` over ``period``; open and overdue are now."""
    return overview(region, period, now).figures


# --- drill-down -------------------------------------------------------------------------


@dataclass
class Row:
    """One child region with its totals."""

    region: Region
    received: int = 0
    open: int = 0
    overdue: int = 0
    alerts: int = 0
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


def _add_up(counts) -> dict[str, int]:
    total: dict[str, int] = {}
    for one in counts:
        for name, n in one.items():
            total[name] = total.get(name, 0) + n
    return total


def _rows(children, period, received, running, per_path: dict) -> list[Row]:
    per_child = _sum(received, "prefix", PERIOD_COUNTS)
    now_per_child = _sum(running, "prefix", ("open", "overdue", "alerts"))
    length = len(children[0].path)
    under: dict[str, list] = {}
    for path, counts in per_path.items():
        under.setdefault((path or "")[:length], []).append(counts)
    assessed = {
        child.pk: three_rates(rates_of(_add_up(under.get(child.path, ())))) for child in children
    }
    within = period_filters(period)
    rows = []
    for child in children:
        row = Row(
            child,
            **per_child.get(child.path, {}),
            **now_per_child.get(child.path, {}),
            rates=assessed.get(child.pk, {}),
        )
        row.received_url = case_list_url(region=child.code, **within)
        row.open_url = case_list_url(region=child.code, group="open")
        row.overdue_url = case_list_url(region=child.code, light="red")
        rows.append(row)
    return rows


def drill_down(region: Region, period: Period, now: datetime | None = None) -> list[Row]:
    """The children of ``region`` with their totals (received, closed and rated in the
    period; open and overdue now). A region without children gives no rows."""
    return overview(region, period, now).rows


def lineage(region: Region, top: Region) -> list[Region]:
    """The regions from ``top`` down to ``region`` (the breadcrumb of the drill-down)."""
    return [r for r in (*region.ancestors(), region) if r.path.startswith(top.path)]
