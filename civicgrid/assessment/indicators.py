"""The indicators (考核指标) of any period, read from the rollup cells only.

Public API::

    indicators(period_start, period_end, level, ids=None, *, within_path="")
        -> list[Figures]

``period_start`` and ``period_end`` are dates, both included. ``level`` is one of
``LEVELS``: "all" (one row, id None), "unit" (departments), "district", "street",
"community", "grid" (regions: a region sums the cells of every region below it) or
"person" (the actor of each event). ``ids`` limits the rows to these primary keys; a
unit or region asked for by id that has no figures still gets its row, with
``has_data`` False. Without ``ids``: "unit" lists every active department (those
without cases too), the region levels and "person" only those with figures.
``within_path`` keeps only the cells of cases below that region path.

Each ``Figures`` row carries ``counts`` (every counter of ``models.COUNTERS`` summed),
``rates`` ({code: fraction 0..1, or None when the denominator is 0 — never a division
by zero}) for the codes of ``RATES``, and ``stages`` ({step: {should, done, on_time,
late}}) for the 数字城管 steps of ``STAGES``. ``percent(rate)`` formats one ("98.6 %",
or "—" for None). The formulas are listed in docs/assessment.md.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Department, DepartmentKind

from .models import COUNTERS, AreaFigure, Cell, CommunityFigure, DailyFigure, UnitFigure

LEVELS = ("all", "unit", "district", "street", "community", "grid", "person")
REGION_LEVELS = {
    "district": Level.DISTRICT,
    "street": Level.STREET,
    "community": Level.COMMUNITY,
    "grid": Level.GRID,
}


@dataclass(frozen=True)
class Rate:
    """A rate: the sum of ``numerator`` counters ÷ the sum of ``denominator`` counters."""

    code: str
    label: Any
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]


RATES: tuple[Rate, ...] = (
    # The hotline rates (12345).
    Rate("response", _("response rate (响应率)"), ("ack_on_time",), ("dispatched",)),
    Rate("resolution", _("resolution rate (解决率)"), ("resolved",), ("callbacks",)),
    Rate("satisfaction", _("satisfaction rate (满意率)"), ("satisfied", "basically"), ("rated",)),
    Rate("direct_answer", _("direct answer rate (直接答复率)"), ("direct_answers",), ("received",)),
    Rate(
        "ack_on_time",
        _("on-time acknowledgement rate (按时签收率)"),
        ("ack_on_time",),
        ("acknowledged",),
    ),
    Rate(
        "reply_on_time",
        _("on-time completion rate (按时办结率)"),
        ("replied_on_time",),
        ("replied",),
    ),
    Rate("repeat", _("repeat complaint rate (重复投诉率)"), ("repeats",), ("received",)),
    Rate("return", _("return rate (退单率)"), ("returned",), ("dispatched",)),
    Rate("callback", _("callback rate (回访率)"), ("callbacks",), ("verified",)),
    # The 数字城管 rates (GB/T 30428).
    Rate("closing", _("closing rate (结案率)"), ("closed",), ("received",)),
    Rate(
        "closing_on_time", _("on-time closing rate (按期结案率)"), ("closed_on_time",), ("closed",)
    ),
    Rate("rework", _("rework rate (返工率)"), ("verify_failed", "reopened"), ("replied",)),
    Rate("extension", _("extension rate (延期率)"), ("extended",), ("dispatched",)),
)
RATE_CODES = tuple(rate.code for rate in RATES)


@dataclass(frozen=True)
class Stage:
    """One step of the 数字城管 chain: 应X数 / X数 / 按时X数 / 超时X数."""

    code: str
    label: Any
    should: tuple[str, ...]
    done: str
    on_time: str
    late: str


STAGES: tuple[Stage, ...] = (
    Stage(
        "acknowledge",
        _("acknowledge (签收)"),
        ("dispatched",),
        "acknowledged",
        "ack_on_time",
        "ack_late",
    ),
    Stage(
        "handle",
        _("handle (处置)"),
        ("acknowledged",),
        "replied",
        "replied_on_time",
        "replied_late",
    ),
    Stage(
        "verify", _("verify (核查)"), ("replied",), "verify_checks", "verify_on_time", "verify_late"
    ),
    Stage(
        "callback",
        _("call back (回访)"),
        ("verified",),
        "callbacks",
        "callback_on_time",
        "callback_late",
    ),
)


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator ÷ denominator, None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def percent(rate: float | None, digits: int = 1) -> str:
    """A rate as people read it: "98.6 %"; "—" when there is no figure."""
    return "—" if rate is None else f"{rate * 100:.{digits}f} %"


@dataclass
class Figures:
    """The indicators of one unit, region, person (or of all) over a period."""

    level: str
    id: int | None
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return any(self.counts.values())

    @property
    def rates(self) -> dict[str, float | None]:
        return rates_of(self.counts)

    @property
    def stages(self) -> dict[str, dict[str, int]]:
        return stages_of(self.counts)


def rates_of(counts: dict[str, int]) -> dict[str, float | None]:
    def total(names):
        return sum(counts.get(n, 0) for n in names)

    return {r.code: ratio(total(r.numerator), total(r.denominator)) for r in RATES}


def stages_of(counts: dict[str, int]) -> dict[str, dict[str, int]]:
    return {
        s.code: {
            "should": sum(counts.get(n, 0) for n in s.should),
            "done": counts.get(s.done, 0),
            "on_time": counts.get(s.on_time, 0),
            "late": counts.get(s.late, 0),
        }
        for s in STAGES
    }


def _sums(rows, dimension: str | None):
    fields = {c: Sum(c) for c in COUNTERS}
    if dimension is None:
        found = rows.aggregate(**fields)
        return {None: {c: found[c] or 0 for c in COUNTERS}}
    return {
        row[dimension]: {c: row[c] or 0 for c in COUNTERS}
        for row in rows.values(dimension).annotate(**fields).order_by()
    }


def sums_by_path(
    period_start: date, period_end: date, within_path: str = "", *, by_community: bool = False
) -> dict:
    """{region path: {counter: n}} over [period_start, period_end] (both included), from
    ``AreaFigure``, for the cells below ``within_path``: one grouped read from which a
    caller sums any level below (the one screen sums its total and its children's).

    ``by_community``: from ``CommunityFigure`` instead (a grid's cells at its community,
    so the paths stop at the communities): a district's or a street's month in a few
    thousand rows."""
    table: type[Cell] = CommunityFigure if by_community else AreaFigure
    rows: Any = table.objects.filter(day__gte=period_start, day__lte=period_end)  # type: ignore[attr-defined]
    if within_path:
        rows = rows.filter(region_path__startswith=within_path)
    return _sums(rows, "region_path")


def indicators(
    period_start: date,
    period_end: date,
    level: str,
    ids=None,
    *,
    within_path: str = "",
    by_street: bool = False,
) -> list[Figures]:
    """The figures of ``level`` over [period_start, period_end]; see the module's docstring.

    ``by_street`` (the unit level, ``within_path`` a street or above): read the units'
    cells summed per street (``UnitFigure``), the same figures from far fewer rows."""
    if level not in LEVELS:
        raise ValueError(f"not a level: {level!r}; one of {', '.join(LEVELS)}")
    if period_end < period_start:
        raise ValueError("the period ends before it starts")
    wanted = None if ids is None else {int(i) for i in ids}
    # Above the person level the coarse rollup (summed over people) is enough.
    table: type[Cell] = DailyFigure if level == "person" else AreaFigure
    if by_street and level == "unit":
        table = UnitFigure
    rows: Any = table.objects.filter(day__gte=period_start, day__lte=period_end)  # type: ignore[attr-defined]
    if within_path:
        rows = rows.filter(region_path__startswith=within_path)
    if level == "all":
        return [Figures("all", None, str(_("all")), _sums(rows, None)[None])]
    if level == "unit":
        if wanted is not None:
            rows = rows.filter(department_id__in=wanted)
        sums = _sums(rows.filter(department__isnull=False), "department_id")
        units = Department.objects.all()
        if wanted is not None:
            units = units.filter(pk__in=wanted)
        else:
            units = units.filter(pk__in=set(sums)) | units.filter(active=True).exclude(
                kind=DepartmentKind.CENTRE
            )
        return [
            Figures("unit", d.pk, d.name, sums.get(d.pk) or dict.fromkeys(COUNTERS, 0))
            for d in units.distinct().order_by("name", "pk")
        ]
    if level == "person":
        if wanted is not None:
            rows = rows.filter(person_id__in=wanted)
        sums = _sums(rows.filter(person__isnull=False), "person_id")
        keys = set(sums) | (wanted or set())
        people = get_user_model().objects.filter(pk__in=keys).order_by("username")
        return [
            Figures(
                "person",
                p.pk,
                p.get_full_name() or p.username,
                sums.get(p.pk) or dict.fromkeys(COUNTERS, 0),
            )
            for p in people
        ]
    regions = Region.objects.filter(level=REGION_LEVELS[level])
    if wanted is not None:
        regions = regions.filter(pk__in=wanted)
    by_path = {r.path: r for r in regions.only("pk", "name", "path", "code")}
    totals: dict[str, Counter] = {path: Counter() for path in by_path}
    for path, counts in _sums(rows, "region_path").items():
        codes = [c for c in (path or "").split("/") if c]
        prefix = ""
        for code in codes:
            prefix += code + "/"
            if prefix in totals:
                totals[prefix].update(counts)
                break
    return [
        Figures(level, by_path[path].pk, by_path[path].name, {c: counts[c] for c in COUNTERS})
        for path, counts in sorted(totals.items(), key=lambda item: by_path[item[0]].code)
        if wanted is not None or any(counts.values())
    ]


def one(period_start: date, period_end: date, level: str, pk) -> Figures:
    """The figures of one unit, region or person (``has_data`` False when it had none)."""
    found = indicators(period_start, period_end, level, [pk])
    if not found:
        raise LookupError(f"no {level} with id {pk}")
    return found[0]
