"""Daily, weekly and monthly reports (日分析、周总结、月通报): one ``Report`` built from
grouped counts, shown as a page, written as an Excel workbook and as a PDF with charts.

A period without cases gives a report whose ``empty`` is true: every rate is "—" and the
page says so; nothing divides by zero.

A built report, its workbook and its PDF are kept (``kept``, ``kept_file``) in the shared
cache and in the process (``core.bodies``), per region, period and language, for a
while: ``ANALYTICS_REPORT_CACHE_SECONDS`` (60 s) while the period runs,
``ANALYTICS_CLOSED_REPORT_CACHE_SECONDS`` (1 h) once it has ended. Each says when it was
built ("As of").
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import TypeVar

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from civicgrid.assessment.indicators import indicators
from civicgrid.cases.models import Case, Channel, Status
from civicgrid.core import bodies
from civicgrid.duplicates.models import HotIssue
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Category

from . import figures
from .models import SurgeNotice
from .periods import BadPeriod, Period, of

KINDS = {
    "day": gettext_lazy("Daily analysis"),
    "week": gettext_lazy("Weekly summary"),
    "month": gettext_lazy("Monthly bulletin"),
}
_PERIOD_OF_KIND = {"day": "today", "week": "week", "month": "month"}
WORST_UNITS = 10
TOP_CATEGORIES = 15


def period_of(kind: str, params) -> Period:
    """The day, week or month containing ``params['on']`` (today by default)."""
    if kind not in KINDS:
        raise BadPeriod(_("Unknown report."))
    on = params.get("on") if params else None
    try:
        day = date.fromisoformat(on) if on else timezone.localdate()
    except ValueError:
        raise BadPeriod(_("Enter days as YYYY-MM-DD.")) from None
    return of(_PERIOD_OF_KIND[kind], on=day)


def kind_of(period: Period) -> str:
    return {"today": "day", "week": "week", "month": "month"}.get(period.kind, "day")


@dataclass
class Line:
    """One row of a breakdown: a name, counts, rates and the case list behind it."""

    name: str
    received: int
    closed: int = 0
    overdue: int = 0
    rated: int = 0
    satisfied: int = 0
    url: str = ""
    # The assessment's rates (percent) where the line has them (units, areas).
    rates: dict = field(default_factory=dict)

    @property
    def resolution(self) -> float | None:
        """The assessment's 解决率 when given, else closed ÷ received of the period."""
        if "resolution" in self.rates:
            return self.rates["resolution"]
        return figures.rate(self.closed, self.received)

    @property
    def satisfaction(self) -> float | None:
        return figures.rate(self.satisfied, self.rated)


@dataclass
class Report:
    kind: str
    region: Region
    period: Period
    counts: dict
    rates: dict
    previous_received: int
    by_channel: list[Line] = field(default_factory=list)
    by_category: list[Line] = field(default_factory=list)
    by_area: list[Line] = field(default_factory=list)
    worst_units: list[Line] = field(default_factory=list)
    by_day: list[tuple[date, int]] = field(default_factory=list)
    hot_issues: list[HotIssue] = field(default_factory=list)
    surges: list[SurgeNotice] = field(default_factory=list)
    built_at: datetime | None = None

    @property
    def empty(self) -> bool:
        return self.counts["received"] == 0

    @property
    def title(self) -> str:
        return f"{KINDS[self.kind]} · {self.region.name} · {self.period.label()}"

    @property
    def change(self) -> float | None:
        """Received, in percent more (or less) than the period before; None without one."""
        if not self.previous_received:
            return None
        return round(
            100 * (self.counts["received"] - self.previous_received) / self.previous_received, 1
        )


_LINE_COUNTS = {
    "received": Count("region_path"),
    "closed": Count("region_path", filter=Q(status=Status.CLOSED)),
    "rated": Count("region_path", filter=~Q(rating="")),
    "satisfied": Count("region_path", filter=Q(rating__in=figures.SATISFIED)),
}


def _channels(period_rows: list[dict], within: dict) -> list[Line]:
    rows = figures._sum(period_rows, "channel", tuple(_LINE_COUNTS))
    return [
        Line(str(label), url=figures.case_list_url(channel=value, **within), **rows[value])
        for value, label in Channel.choices
        if value in rows
    ]


def _categories_and_days(region: Region, period: Period, within: dict):
    """Cases per category (the most first) and per day, from one grouped scan."""
    after, before = period.bounds()
    cases = Case.objects.annotate(on=TruncDate("created_at")).filter(
        created_at__gte=after, created_at__lt=before
    )
    rows = figures._scan(region, cases, 0, ("category_id", "on"), _LINE_COUNTS)
    per_category = figures._sum(
        [r for r in rows if r["category_id"]], "category_id", tuple(_LINE_COUNTS)
    )
    top = sorted(per_category.items(), key=lambda item: -item[1]["received"])[:TOP_CATEGORIES]
    names = dict(Category.objects.filter(pk__in=[pk for pk, _c in top]).values_list("pk", "name"))
    categories = [
        Line(names.get(pk, "?"), url=figures.case_list_url(category=pk, **within), **counts)
        for pk, counts in top
    ]
    per_day = figures._sum(rows, "on", ("received",))
    days = [
        (
            period.start + timedelta(days=i),
            per_day.get(period.start + timedelta(days=i), {}).get("received", 0),
        )
        for i in range(period.days)
    ]
    return categories, days


def _received_before(region: Region, period: Period) -> int:
    if region.level != Level.GRID:
        # Any area above a grid holds its grids' counters (counted at their community).
        return sum(r["received"] for r in figures.intake_rows(region, period.previous(), 0))
    after, before = period.previous().bounds()
    cases = Case.objects.filter(created_at__gte=after, created_at__lt=before)
    return sum(
        r["received"]
        for r in figures._scan(region, cases, 0, (), {"received": Count("region_path")})
    )


def _worst_units(region: Region, period: Period) -> list[Line]:
    """The ten units with the lowest assessment figures in the region over the period:
    most steps marked overdue, then the lowest response and satisfaction rates."""
    rows = [
        f
        for f in indicators(
            period.start,
            period.last_day,
            "unit",
            within_path=region.path,
            by_street=region.level in (Level.CITY, Level.DISTRICT, Level.STREET),
        )
        if f.has_data
    ]
    lines = [
        Line(
            f.name,
            f.counts["dispatched"],
            closed=f.counts["closed"],
            overdue=f.counts["overdue"],
            rated=f.counts["rated"],
            satisfied=f.counts["satisfied"] + f.counts["basically"],
            rates=figures.three_rates(f.rates),
        )
        for f in rows
    ]

    def badness(line: Line):
        response = line.rates.get("response")
        satisfaction = line.satisfaction
        return (
            -line.overdue,
            100 if response is None else response,
            100 if satisfaction is None else satisfaction,
            -line.received,
        )

    return sorted(lines, key=badness)[:WORST_UNITS]


def build(region: Region, period: Period, now=None) -> Report:
    """The report of ``region`` over ``period``: the screen's overview (totals, channels,
    areas), one scan per category and day, one count of the period before, and the
    assessment's rollup for the rates and the units."""
    now = now or timezone.now()
    seen = figures.overview(region, period, now)
    within = {"region": region.code, **figures.period_filters(period)}
    areas = [
        Line(
            row.region.name,
            row.received,
            closed=row.closed,
            overdue=row.overdue,
            rated=row.rated,
            satisfied=row.satisfied,
            url=row.received_url,
            rates=row.rates,
        )
        for row in seen.rows
    ]
    categories, days = _categories_and_days(region, period, within)
    return Report(
        kind=kind_of(period),
        built_at=now,
        region=region,
        period=period,
        counts=seen.figures.counts,
        rates={r.key: r.value for r in seen.figures.rates},
        previous_received=_received_before(region, period),
        by_channel=_channels(seen.period_rows, within),
        by_category=categories,
        by_area=areas,
        worst_units=_worst_units(region, period),
        by_day=days,
        hot_issues=list(
            HotIssue.objects.filter(region_path__startswith=region.path).order_by("-rank")[:10]
        ),
        surges=list(
            SurgeNotice.objects.in_scope([region])
            .filter(day__gte=period.start, day__lt=period.end)
            .select_related("region", "category")
            .order_by("-excess")[:20]
        ),
    )


def life(period: Period) -> int:
    """How long a built report is reused, in seconds: a short while for a period still
    running (its figures move), long for one that has ended; 0: never."""
    if period.end > timezone.localdate():
        return settings.ANALYTICS_REPORT_CACHE_SECONDS
    return settings.ANALYTICS_CLOSED_REPORT_CACHE_SECONDS


T = TypeVar("T")


def _kept(what: str, region: Region, period: Period, make: Callable[[], T]) -> T:
    seconds = life(period)
    if seconds <= 0:
        return make()
    name = (
        f"analytics:report:{what}:{region.pk}:{period.kind}:{period.start}:{period.end}:"
        f"{translation.get_language()}"
    )
    # The version is the stretch of ``seconds`` we are in: a new one is a new key.
    return bodies.kept(name, (int(time.time() // seconds), seconds), make)


def kept(region: Region, period: Period) -> Report:
    """``build(region, period)``, built at most ``life(period)`` seconds ago."""
    return _kept("data", region, period, lambda: build(region, period))


FILES = {"xlsx": lambda report: workbook(report), "pdf": lambda report: pdf(report)}


def kept_file(region: Region, period: Period, extension: str) -> tuple[str, bodies.Body]:
    """The report's workbook or PDF (``extension``) and its file name, written from the
    kept report and kept as long (an ``ETag`` names it, for a 304)."""
    report = kept(region, period)

    def made() -> tuple[str, bodies.Body]:
        content = FILES[extension](report)
        stamp = report.built_at.isoformat() if report.built_at else ""
        tag = f'"{bodies.key_of(extension, (region.pk, str(period), stamp))[5:]}"'
        return filename(report, extension), bodies.Body(content, b"", tag)

    return _kept(extension, region, period, made)


def filename(report: Report, extension: str) -> str:
    return (
        f"report-{report.kind}-{report.region.code}-{report.period.start.isoformat()}.{extension}"
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def summary_pairs(report: Report) -> list[tuple[str, object]]:
    c = report.counts
    return [
        (_("Cases received"), c["received"]),
        (_("Received in the period before"), report.previous_received),
        (_("Cases closed"), c["closed"]),
        (_("Rated"), c["rated"]),
        (_("Response rate"), _pct(report.rates["response"])),
        (_("Resolution rate"), _pct(report.rates["resolution"])),
        (_("Satisfaction rate"), _pct(report.rates["satisfaction"])),
    ]


def _line_header(first: str, counted: str = "") -> list[object]:
    return [
        first,
        counted or _("Cases received"),
        _("Cases closed"),
        _("Overdue"),
        _("Resolution rate"),
        _("Satisfaction rate"),
    ]


def _line_row(line: Line) -> list[object]:
    return [
        line.name,
        line.received,
        line.closed,
        line.overdue,
        _pct(line.resolution),
        _pct(line.satisfaction),
    ]


def sections(report: Report) -> list[tuple[str, list]]:
    """The report's tables, header row first, shared by the workbook and the PDF."""
    return [
        (_("By channel"), [_line_header(_("Channel")), *map(_line_row, report.by_channel)]),
        (_("By category"), [_line_header(_("Category")), *map(_line_row, report.by_category)]),
        (_("By area"), [_line_header(_("Area")), *map(_line_row, report.by_area)]),
        (
            _("The ten worst units"),
            [_line_header(_("Unit"), _("Dispatched")), *map(_line_row, report.worst_units)],
        ),
        (
            _("Hot issues"),
            [[_("Hot issue"), pgettext("hot issue", "Reports"), _("Open cases")]]
            + [[h.title, h.reports, h.open_cases] for h in report.hot_issues],
        ),
        (
            _("Surges"),
            [[_("Day"), _("Area"), _("Category"), _("Cases"), _("Baseline mean")]]
            + [
                [s.day.isoformat(), s.region.name, s.category.name, s.count, s.baseline_mean]
                for s in report.surges
            ],
        ),
        (
            _("By day"),
            [[_("Day"), _("Cases received")]] + [[d.isoformat(), n] for d, n in report.by_day],
        ),
    ]


def workbook(report: Report) -> bytes:
    """The report as an .xlsx: a summary sheet, then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    if report.empty:
        sheet.append([str(_("No cases were received in this period."))])
    for label, value in summary_pairs(report):
        sheet.append([str(label), value])
    for title, rows in sections(report):
        tab = book.create_sheet(str(title)[:31])
        for i, row in enumerate(rows):
            tab.append([str(v) if not isinstance(v, int | float) else v for v in row])
            if i == 0:
                for cell in tab[1]:
                    cell.font = Font(bold=True)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(report: Report) -> bytes:
    """The report as a PDF with a bar chart per breakdown."""
    from civicgrid.core.pdf import Document

    doc = Document(
        report.title,
        subtitle=_("Generated %(at)s")
        % {"at": timezone.localtime(report.built_at).strftime("%Y-%m-%d %H:%M")},
    )
    if report.empty:
        doc.paragraph(_("No cases were received in this period."))
    doc.heading(_("Summary")).fields(summary_pairs(report))
    charts = {
        str(_("By channel")): report.by_channel,
        str(_("By category")): report.by_category,
        str(_("By area")): report.by_area,
    }
    for title, rows in sections(report):
        if len(rows) <= 1:
            continue
        doc.heading(title)
        lines = charts.get(str(title))
        if lines:
            doc.bar_chart([x.name for x in lines], [x.received for x in lines])
        if str(title) == str(_("By day")) and len(rows) > 2:
            doc.bar_chart(
                [d.strftime("%m-%d") for d, _n in report.by_day], [n for _d, n in report.by_day]
            )
            continue
        doc.table(rows)
    return doc.render()
