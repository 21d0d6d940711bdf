"""Dispute screening (矛盾纠纷排查) by grid and community.

Every grid screens once a month; in a sensitive period set by the centre (两会, 春节…)
once a week. The grid worker files one report per grid and period: the disputes found
— each becomes a case of the grid, handed over to mediation with the source "grid
screening" — or a zero report (零报告) when nothing was found. A period whose end has
passed without a report is overdue; the board counts them per grid and community.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role, User
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import Channel
from civicgrid.cases.services import Intake, register_case
from civicgrid.regions import lineage
from civicgrid.regions.models import Level, Region

from . import services
from .models import Cadence, ScreeningFinding, ScreeningReport, SensitivePeriod, Source

MAX_FINDINGS = 20


@dataclass(frozen=True)
class Period:
    cadence: str
    start: date
    end: date
    name: str = ""  # the sensitive period's name, if weekly

    @property
    def label(self) -> str:
        if self.cadence == Cadence.WEEKLY:
            return f"{self.start:%Y-%m-%d}–{self.end:%m-%d}"
        return f"{self.start:%Y-%m}"


def period_for(day: date) -> Period:
    """The screening period ``day`` falls in: its ISO week in a sensitive period, else
    its month."""
    sensitive = SensitivePeriod.objects.filter(start__lte=day, end__gte=day).first()
    if sensitive is not None:
        monday = day - timedelta(days=day.weekday())
        return Period(Cadence.WEEKLY, monday, monday + timedelta(days=6), sensitive.name)
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(Cadence.MONTHLY, first, last)


def previous_period(period: Period) -> Period:
    return period_for(period.start - timedelta(days=1))


def set_sensitive_period(*, actor: User, name: str, start: date, end: date) -> SensitivePeriod:
    """The centre sets a sensitive period: its grids screen weekly in it."""
    if not (actor.is_superuser or actor.has_role(Role.LEADER, Role.ADMIN)):
        raise ActionRefused(_("Only the centre's leaders set sensitive periods."))
    if not (name or "").strip():
        raise InvalidAction(_("Name the sensitive period."), "name")
    if start is None or end is None or end < start:
        raise InvalidAction(_("The period ends on or after the day it starts."), "end")
    if (end - start).days > 92:
        raise InvalidAction(_("A sensitive period lasts at most three months."), "end")
    return SensitivePeriod.objects.create(
        name=name.strip()[:60], start=start, end=end, created_by=actor
    )


# --- who screens where -----------------------------------------------------------------


def my_grids(user) -> list[Region]:
    """The grids a grid worker screens: the grids in their grants' regions."""
    if not user.is_authenticated:
        return []
    paths = [p for g in user.grants_for(Role.GRID_WORKER) for p in g.region_paths]
    grids = Region.objects.none()
    for path in paths:
        grids |= Region.objects.filter(level=Level.GRID, path__startswith=path)
    return list(grids.order_by("code")[:200])


def leader_paths(user) -> list[str]:
    """The region subtrees a leader oversees (every top region for an administrator)."""
    if user.is_superuser or user.has_role(Role.ADMIN):
        return list(Region.objects.filter(parent__isnull=True).values_list("path", flat=True))
    return list(dict.fromkeys(p for g in user.grants_for(Role.LEADER) for p in g.region_paths))


def _check_grid(actor: User, grid: Region | None) -> Region:
    if grid is None or grid.level != Level.GRID:
        raise InvalidAction(_("Choose one of your grids."), "grid")
    paths = [p for g in actor.grants_for(Role.GRID_WORKER) for p in g.region_paths]
    if not any(grid.path.startswith(p) for p in paths):
        raise ActionRefused(_("This grid is not one of yours; screen your own grids."))
    return grid


# --- filing ----------------------------------------------------------------------------


@dataclass
class FindingInput:
    type_code: str
    summary: str
    people_involved: int | str = 2


@dataclass
class Filed:
    report: ScreeningReport
    disputes: list = field(default_factory=list)


def file_report(
    *,
    actor: User,
    grid: Region | None,
    findings: list[FindingInput],
    zero: bool = False,
    note: str = "",
    day: date | None = None,
) -> Filed:
    """File the screening of ``grid`` for the period of ``day`` (today by default).

    Either the disputes found (each becomes a case of the grid handed over to mediation,
    source "grid screening") or a zero report — never both, never neither, once per grid
    and period. Bad input changes nothing."""
    if not actor.is_authenticated or not actor.has_role(Role.GRID_WORKER):
        raise ActionRefused(_("Only grid workers file screening reports."))
    grid = _check_grid(actor, grid)
    period = period_for(day or timezone.localdate())
    findings = [f for f in findings if (f.summary or "").strip() or (f.type_code or "").strip()]
    if zero and findings:
        raise InvalidAction(_("A zero report lists no disputes."), "zero")
    if not zero and not findings:
        raise InvalidAction(
            _("List the disputes found, or file a zero report if there were none."), "findings"
        )
    if len(findings) > MAX_FINDINGS:
        raise InvalidAction(_("At most 20 disputes in one report."), "findings")
    for finding in findings:
        if not (finding.summary or "").strip():
            raise InvalidAction(_("Say what each dispute found is about."), "findings")
    if _already(grid, period):
        raise InvalidAction(_duplicate(grid, period), "grid")
    try:
        with transaction.atomic():
            report = ScreeningReport.objects.create(
                grid=grid,
                cadence=period.cadence,
                period_start=period.start,
                period_end=period.end,
                zero=zero,
                note=(note or "").strip()[:2000],
                filed_by=actor,
            )
            disputes = [_hand_over(report, finding, actor) for finding in findings]
    except IntegrityError:
        raise InvalidAction(_duplicate(grid, period), "grid") from None
    return Filed(report, disputes)


def _already(grid: Region, period: Period) -> bool:
    return ScreeningReport.objects.filter(
        grid=grid, cadence=period.cadence, period_start=period.start
    ).exists()


def _duplicate(grid: Region, period: Period) -> str:
    return _("%(grid)s has already filed its screening for %(period)s.") % {
        "grid": grid.name,
        "period": period.label,
    }


def _hand_over(report: ScreeningReport, finding: FindingInput, actor: User):
    grid = report.grid
    summary = finding.summary.strip()[:4000]
    intake = Intake(
        channel=Channel.GRID_PATROL,
        title=(_("Dispute found by screening: %(summary)s") % {"summary": summary})[:100],
        content=summary,
        lng=grid.centroid_lng,
        lat=grid.centroid_lat,
        address=grid.name,
    )
    case = register_case(intake, actor=actor)
    dispute = services.hand_over(
        case,
        actor=actor,
        type_code=finding.type_code,
        source=Source.SCREENING,
        people_involved=finding.people_involved or 2,
        summary=summary,
        roles=services.HAND_OVER_ROLES + (Role.GRID_WORKER,),
    )
    ScreeningFinding.objects.create(report=report, dispute=dispute, summary=summary)
    return dispute


# --- the board -------------------------------------------------------------------------


class Place(NamedTuple):
    """A grid on the board: what it shows of it (no polygon, no model instance: a city
    has thousands of grids)."""

    pk: int
    code: str
    name: str


@dataclass
class GridLine:
    grid: Place
    current: bool  # this period's report is filed
    previous: bool  # last period's report is filed

    @property
    def overdue(self) -> bool:
        return not self.previous


@dataclass
class CommunityLine:
    community: Region | None
    grids: list[GridLine] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for g in self.grids if g.overdue)

    @property
    def filed(self) -> int:
        return sum(1 for g in self.grids if g.current)


def _grids_under(paths: list[str], prefix: str = "") -> Q:
    rule = Q(pk__in=[])
    for path in paths:
        rule |= Q(**{f"{prefix}path__startswith": path})
    return rule & Q(**{f"{prefix}level": Level.GRID})


def board(paths: list[str], today: date | None = None) -> tuple[Period, Period, list]:
    """Per community, each grid under ``paths``: this period's report (due by its end)
    and the previous period's (overdue when missing). Overdue communities first.

    Two reads of plain values: the grids (code, name, community), then which of them
    filed in the two periods; the communities come from the process's region tree
    (``regions.lineage``). Model instances of ~1,000 grids and their communities were
    most of the board's time.
    """
    today = today or timezone.localdate()
    current = period_for(today)
    previous = previous_period(current)
    grids = [
        (Place(pk, code, name), parent_id)
        for pk, code, name, parent_id in Region.objects.filter(_grids_under(paths))
        .order_by("code")
        .values_list("pk", "code", "name", "parent_id")
    ]
    filed = set(
        ScreeningReport.objects.filter(
            _grids_under(paths, "grid__"), period_start__in=[current.start, previous.start]
        ).values_list("grid_id", "period_start", "cadence")
    )
    above = {region.pk: region for region in lineage.above_grids().values()}
    communities: dict[int | None, CommunityLine] = {}
    for place, parent_id in grids:
        line = GridLine(
            place,
            (place.pk, current.start, current.cadence) in filed,
            (place.pk, previous.start, previous.cadence) in filed,
        )
        if parent_id not in communities:
            communities[parent_id] = CommunityLine(above.get(parent_id))
        communities[parent_id].grids.append(line)
    ordered = sorted(
        communities.values(), key=lambda c: (-c.overdue, c.community.code if c.community else "")
    )
    return current, previous, ordered
