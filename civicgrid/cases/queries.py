"""Read-only queries behind the case pages: queues, search, counts and the timeline.

Every list starts from ``scope.visible_cases`` and loads what its rows show with
``select_related``/``prefetch_related``, so the number of queries does not grow with
the number of rows.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Avg,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Floor
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Role
from civicgrid.core.paging import Capped, count_up_to, counts_up_to
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Category, Urgency

from . import events, lifecycle
from .lifecycle import action_label
from .models import (
    CALLBACK_STATUSES,
    CLOSED_ORDER,
    INBOX_STATUSES,
    OPEN_STATUSES,
    OPEN_UNPLACED,
    URGENCY_RANK,
    CallbackResult,
    Case,
    CaseAccess,
    CaseEvent,
    Channel,
    Light,
    Rating,
    Status,
    light_at,
    light_q,
)
from .scope import paths_query, region_paths, visible_cases

ROW_RELATIONS = ("category", "grid", "owner_region", "main_department")

# Most urgent first, then the nearest deadline, then the oldest (the id breaks ties, so a
# page ends at the same case each time). The triage queue's partial index has this order.
PRESSING_FIRST = ("urgency_rank", F("due_at").asc(nulls_last=True), "created_at", "id")
# The inbox's and the callbacks' order, each with its partial index of the same.
NEAREST_DEADLINE = (F("due_at").asc(nulls_last=True), "created_at", "id")
# The work counts (the triage strip, the inbox's lights, later callbacks) stop here.
WORK_COUNT_BOUND = 1000


def rows(queryset: QuerySet, *, grid_outline: bool = False) -> QuerySet:
    """A case queryset ready to be listed: the related rows a list shows, joined in.

    Without the regions' polygons: a district's is ~70 kB of GeoJSON, and decoding the
    grid's and the centre's with each of 50 rows took a second. ``grid_outline`` keeps
    the grid's, for the pages that draw it (a case's small map).
    """
    unused = (
        ["owner_region__boundary"] if grid_outline else ["grid__boundary", "owner_region__boundary"]
    )
    return queryset.select_related(*ROW_RELATIONS).defer(*unused)


# What a row of the case list shows: number, title, status, light, time received and the
# names of its category, grid and department. Not the text, the reply, the extra fields
# or the title's words (a citizen's text alone is often kilobytes), nor any column of
# the joined rows but their names (a region's outline, a category's JSON).
LIST_COLUMNS = (
    "number",
    "title",
    "status",
    "created_at",
    "due_at",
    "warn_at",
    "category__name",
    "grid__name",
    "main_department__name",
)


def list_rows(queryset: QuerySet) -> QuerySet:
    """A case queryset ready for the case list (``LIST_COLUMNS`` only)."""
    return queryset.select_related("category", "grid", "main_department").only(*LIST_COLUMNS)


def without_outlines(queryset: QuerySet) -> QuerySet:
    """``rows`` without the outlines of the grid and the centre's region (GeoJSON: a
    district's is larger than everything else a row reads), for lists that show names."""
    return queryset.defer("grid__boundary", "owner_region__boundary")


def pressing_first(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(urgency_rank=URGENCY_RANK).order_by(*PRESSING_FIRST)


def triage_queue(user) -> QuerySet:
    """Registered cases whose centre is in the user's scope, waiting for a triage decision.

    The centre is the case's owner region: a case escalated to the city leaves the
    district's queue for the city's, though the district still sees the case.
    """
    cases = visible_cases(user, Case.objects.filter(status=Status.REGISTERED))
    if not (user.is_superuser or user.has_role(Role.ADMIN)):
        cases = cases.filter(owned_by(user))
    return pressing_first(rows(cases))


def owned_in(paths) -> Q:
    """Cases held by the centre of one of the regions ``paths`` (by position when the
    case has no centre): each level's queue is its own (docs/centres.md). A city's
    centre works on what is escalated to it; a district's on what it holds, not on what
    its streets and communities hold; a street's on what it holds, never another's."""
    paths = list(paths)
    cities = set(
        Region.objects.filter(path__in=paths, level=Level.CITY).values_list("path", flat=True)
    )
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(owner_path=path)  # the centre's path, on the case's row (indexed)
        if path not in cities:
            query |= Q(owner_region__isnull=True, region_path__startswith=path)
    return query


def owned_by(user) -> Q:
    """``owned_in`` the user's regions, worked out once per user object (as
    ``scope.region_paths``): a page with several queues asks for it each time."""
    if not hasattr(user, "_civicgrid_owned"):
        user._civicgrid_owned = owned_in(region_paths(user))
    return user._civicgrid_owned


def held_by(user) -> Q:
    """``held_in`` the user's regions, once per user object (``owned_by``)."""
    if not hasattr(user, "_civicgrid_held"):
        user._civicgrid_held = held_in(region_paths(user))
    return user._civicgrid_held


def held_in(paths) -> Q:
    """Cases the centres of ``paths`` work on: what they hold (``owned_in``, the triage
    queue's rule) and what a community passed down to one of its grids, which stays the
    community's to verify and call back (docs/centres.md)."""
    paths = list(paths)
    grids = Region.objects.filter(level=Level.GRID, parent__path__in=paths)
    return owned_in(paths) | Q(owner_region_id__in=list(grids.values_list("pk", flat=True)))


def own_level(user, cases: QuerySet) -> QuerySet:
    """``cases`` narrowed to those the user's own centres work on (``held_in``); an
    admin's are not narrowed. The callback and verification lists' rule, as the triage
    queue's: a street never sees another's, the district not what a street holds."""
    if user.is_superuser or user.has_role(Role.ADMIN):
        return cases
    return cases.filter(held_by(user))


def below_district_own_level(user, cases: QuerySet) -> QuerySet:
    """``cases`` as a street's or community's centre sees them (``held_in``), while a
    district's or city's grant keeps its whole region: the supervision lists, where the
    district follows up what its streets hold (docs/centres.md)."""
    if user.is_superuser or user.has_role(Role.ADMIN):
        return cases
    paths = region_paths(user)
    upper = set(
        Region.objects.filter(path__in=paths, level__in=(Level.CITY, Level.DISTRICT)).values_list(
            "path", flat=True
        )
    )
    rule = held_in(p for p in paths if p not in upper)
    if upper:
        rule |= paths_query(upper)
    return cases.filter(rule)


def extension_requests(user) -> QuerySet:
    """Extensions a dispatcher or leader must approve or refuse, each with what was asked:
    ``days_asked`` and ``reason_given`` (the latest request's days and note)."""
    cases = Case.objects.filter(status=Status.EXTENSION_REQUESTED)
    asked = CaseEvent.objects.filter(
        case=OuterRef("pk"), action=lifecycle.Action.REQUEST_EXTENSION
    ).order_by("-at", "-id")
    return pressing_first(rows(visible_cases(user, cases))).annotate(
        days_asked=Subquery(
            asked.annotate(days=Cast(KT("data__days"), IntegerField())).values("days")[:1]
        ),
        reason_given=Subquery(asked.values("note")[:1]),
    )


def returned(user) -> QuerySet:
    """Returns (退单) the user's centre must review: accept, reassign or overrule, each
    with ``reason_given`` (the department's latest return note), the review's deadline
    nearest first."""
    cases = visible_cases(user, Case.objects.filter(status=Status.RETURN_REQUESTED))
    if not (user.is_superuser or user.has_role(Role.ADMIN)):
        cases = cases.filter(owned_by(user))
    asked = CaseEvent.objects.filter(case=OuterRef("pk"), action=lifecycle.Action.RETURN)
    return pressing_first(rows(cases)).annotate(
        reason_given=Subquery(asked.order_by("-at", "-id").values("note")[:1])
    )


def overdue(user, now=None) -> QuerySet:
    """Open cases in the user's scope past their step's deadline."""
    cases = Case.objects.filter(status__in=OPEN_STATUSES)
    return visible_cases(user, cases).filter(light_q(Light.RED, now or timezone.now()))


def unsatisfied(user) -> QuerySet:
    """Called-back cases the citizen was unsatisfied with: to reopen, or close with a reason."""
    return callbacks(user).filter(status=Status.RATED, rating=Rating.UNSATISFIED)


def work_counts(user, now=None) -> dict[str, Capped]:
    """How much waits in each of a dispatcher's work lists (the triage page's strip), in
    one statement; each count is the length of its list above, up to
    ``WORK_COUNT_BOUND`` ("1000+" beyond: reading every open case to count them grew
    with the city)."""
    registered = Q(status=Status.REGISTERED)
    returns = Q(status=Status.RETURN_REQUESTED)
    if not (user.is_superuser or user.has_role(Role.ADMIN)):
        owned = owned_by(user)  # the queues' own rule (triage_queue)
        registered &= owned
        returns &= owned
    lists = {
        "extensions": Q(status=Status.EXTENSION_REQUESTED),
        "returned": returns,
        "placement": registered & Q(needs_placement=True),
        "overdue": light_q(Light.RED, now or timezone.now()),
        "unsatisfied": Q(status=Status.RATED, rating=Rating.UNSATISFIED),
    }
    cases = visible_cases(user, Case.objects.filter(status__in=OPEN_STATUSES))
    each = {name: cases.filter(rule) for name, rule in lists.items()}
    return counts_up_to(each, WORK_COUNT_BOUND)


def inbox(user, *, light: str = "", status: str = "") -> QuerySet:
    """Cases whose main or co-handling department is the user's own."""
    departments = user.department_ids
    if not departments:
        return Case.objects.none()
    # A subquery, not a join: a join repeats a case once per co-handling department.
    co = Case.co_departments.through.objects.filter(department_id__in=departments)
    department = Q(main_department_id__in=departments) | Q(pk__in=co.values("case_id"))
    cases = visible_cases(user, Case.objects.filter(department))
    cases = cases.filter(status=status) if status else cases.filter(status__in=INBOX_STATUSES)
    if light:
        cases = cases.with_light(light)
    # A department works to deadlines: overdue first, then the nearest.
    return rows(cases).prefetch_related("co_departments").order_by(*NEAREST_DEADLINE)


RETURN_DECISIONS = (
    lifecycle.Action.ACCEPT_RETURN,
    lifecycle.Action.OVERRULE_RETURN,
    lifecycle.Action.REASSIGN,  # from return_requested: accepted and sent elsewhere at once
)
RETURNS_SHOWN_DAYS = 7


@dataclass
class OwnReturn:
    """A return (退单) one of the user's departments asked for, and the centre's decision
    (None while it waits). ``visible``: the case page still opens for the user (not after
    an accepted return)."""

    case: Case
    asked_at: datetime
    reason: str
    decision: str | None
    decided_at: datetime | None
    decision_note: str
    sent_to: str
    visible: bool

    @property
    def decision_label(self) -> str:
        return action_label(self.decision) if self.decision else ""


def own_returns(user, *, now=None, days: int = RETURNS_SHOWN_DAYS) -> list[OwnReturn]:
    """The returns the user's departments asked for: those awaiting the centre's review
    (however old), and those decided in the last ``days``, with the decision; the latest
    return of each case, newest first.

    A returned case stays its department's until the centre decides, but its clock is
    the centre's (the review), so the inbox lists it here rather than among the cases
    the department works to a deadline.
    """
    departments = user.department_ids
    if not departments:
        return []
    since = (now or timezone.now()) - timedelta(days=days)
    after = CaseEvent.objects.filter(
        case=OuterRef("case"), action__in=RETURN_DECISIONS, id__gt=OuterRef("id")
    ).order_by("id")
    asks = (
        CaseEvent.objects.filter(action=lifecycle.Action.RETURN)
        # Older events named the department only: their handler still finds them.
        .filter(Q(data__department_id__in=departments) | Q(actor=user))
        .filter(Q(at__gte=since) | Q(case__status=Status.RETURN_REQUESTED))
        .annotate(
            decision=Subquery(after.values("action")[:1]),
            decided_at=Subquery(after.values("at")[:1]),
            decision_note=Subquery(after.values("note")[:1]),
            sent_to=Subquery(after.values(to=KT("data__main_department"))[:1]),
        )
        .order_by("-at", "-id")
        .values("case_id", "at", "note", "decision", "decided_at", "decision_note", "sent_to")
    )
    latest: dict[int, Any] = {}
    for ask in asks[:100]:
        latest.setdefault(ask["case_id"], ask)
    cases = Case.objects.select_related("main_department").in_bulk(list(latest))
    mine = [
        ask
        for ask in latest.values()
        if (ask["decision"] and ask["decided_at"] >= since)
        or (not ask["decision"] and cases[ask["case_id"]].status == Status.RETURN_REQUESTED)
    ]
    visible = set(
        visible_cases(user, Case.objects.filter(pk__in=[a["case_id"] for a in mine])).values_list(
            "pk", flat=True
        )
    )
    return [
        OwnReturn(
            case=cases[ask["case_id"]],
            asked_at=ask["at"],
            reason=ask["note"],
            decision=ask["decision"],
            decided_at=ask["decided_at"],
            decision_note=ask["decision_note"] or "",
            sent_to=ask["sent_to"] or "",
            visible=ask["case_id"] in visible,
        )
        for ask in mine
    ]


def verification_tasks(user) -> QuerySet:
    """Replied cases to verify on site, and cases passed down to a grid to solve there
    (docs/centres.md): a grid worker's own grids; a centre's, what it holds and what
    its community passed down to a grid (``own_level``)."""
    passed_down = Q(status=Status.REGISTERED, owner_region__level=Level.GRID)
    cases = visible_cases(user, Case.objects.filter(Q(status=Status.REPLIED) | passed_down))
    if user.has_role(Role.GRID_WORKER):
        # A grid worker's own grids; what another grant of theirs covers stays (the
        # region's, not narrowed to the level: a grid worker verifies on site there).
        mine = paths_query(p for g in user.grants_for(Role.DISPATCHER) for p in g.region_paths)
        for grant in user.grants_for(Role.GRID_WORKER):
            for path in grant.region_paths:
                mine |= Q(region_path__startswith=path)
        cases = cases.filter(mine)
    else:
        cases = own_level(user, cases)
    return pressing_first(rows(cases, grid_outline=True).prefetch_related("attachments"))


def callbacks(user, *, now=None, later: bool = False) -> QuerySet:
    """Verified cases to call back, and called-back cases to close or reopen, the
    nearest deadline first.

    A case whose next try (``callback_next_at``) is not due yet at ``now`` is left out,
    unless ``later``: then it comes after those due. With each case: the cases merged
    into it (their reporters are called back too), its failed tries (``missed_calls``)
    and when the latest reply was given (``replied_at``).
    """
    now = now or timezone.now()
    cases = Case.objects.filter(status__in=CALLBACK_STATUSES)
    not_due = Q(status=Status.VERIFIED, callback_next_at__gt=now)
    # Without the later tries every row is due: the order is the deadline's alone, as
    # the callbacks' partial index reads it.
    order = (*(("later",) if later else ()), *NEAREST_DEADLINE)
    if not later:
        cases = cases.exclude(not_due)
    merged = Case.objects.only("number", "merged_into_id", "reporter_name", "reporter_phone")
    missed = CaseEvent.objects.filter(action=events.Note.CALLBACK_MISSED).select_related("actor")
    reply = CaseEvent.objects.filter(case=OuterRef("pk"), action=lifecycle.Action.REPLY)
    reply = reply.order_by("-at", "-id")
    return (
        rows(own_level(user, visible_cases(user, cases)))
        .annotate(
            later=SqlCase(When(not_due, then=Value(1)), default=Value(0)),
            replied_at=Subquery(reply.values("at")[:1]),
        )
        .order_by(*order)
        .prefetch_related(
            Prefetch("merged_cases", queryset=merged.order_by("created_at")),
            Prefetch("events", queryset=missed.order_by("at", "id"), to_attr="missed_calls"),
        )
    )


def callbacks_later(user, now=None) -> Capped:
    """How many verified cases wait for a later try (the callback page's toggle), up to
    ``WORK_COUNT_BOUND``."""
    now = now or timezone.now()
    cases = Case.objects.filter(status=Status.VERIFIED, callback_next_at__gt=now)
    return count_up_to(own_level(user, visible_cases(user, cases)), WORK_COUNT_BOUND)


def category_and_descendants(category_id: int) -> set[int]:
    """A category and every category below it (the taxonomy is small: one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [category_id]
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo.extend(children.get(node, []))
    return found


def open_counts_by_grid(user, grids: dict[str, int] | None = None) -> dict[int, int]:
    """Open cases in the user's scope per grid id.

    ``grids`` (path → id) are the grids asked about. When the user sees every case of
    each — an administrator, or all of them lie in the user's region subtrees, as the
    grids the map draws for a region-scoped user do — the figures are the counters kept
    by the database (``OpenMapCount``) plus the few open cases given a grid but no point,
    read from their own small index: a few thousand rows whatever the number of cases.
    Anyone else (a department, an integration, grids outside their regions) gets one
    aggregate query over the cases they may see.
    """
    if grids is not None and _sees_all_cases_of(user, grids):
        return _kept_counts_by_grid(grids)
    cases = visible_cases(user, Case.objects.filter(status__in=OPEN_STATUSES, grid__isnull=False))
    counts = cases.order_by().values("grid_id").annotate(n=Count("id", distinct=True))
    return {row["grid_id"]: row["n"] for row in counts}


def _sees_all_cases_of(user, grids: dict[str, int]) -> bool:
    """Whether ``visible_cases`` lets ``user`` see every case placed in each of ``grids``."""
    from .scope import _is_admin

    if _is_admin(user):
        return True
    if user.is_integration or user.has_role(Role.INTEGRATION):
        return False
    starts = tuple(region_paths(user))
    return bool(starts) and all(path.startswith(starts) for path in grids)


def _kept_counts_by_grid(grids: dict[str, int]) -> dict[int, int]:
    """``open_counts_by_grid`` for grids whose every case the user sees, from the counters."""
    from .models import OpenMapCount

    counts: dict[int, int] = {}
    kept = OpenMapCount.objects.values_list("region_path").annotate(n=Sum("open_cases"))
    for path, n in kept.order_by():
        if path in grids and n:
            counts[grids[path]] = n
    # The counters hold the cases placed on the map; a grid's case without a point is
    # counted here (index cases_case_open_unplaced).
    unplaced = (
        Case.objects.filter(OPEN_UNPLACED).order_by().values_list("grid_id").annotate(n=Count("id"))
    )
    wanted = set(grids.values())
    for grid_id, n in unplaced:
        if grid_id in wanted:
            counts[grid_id] = counts.get(grid_id, 0) + n
    return counts


# --- the map: every open case, clustered server-side by zoom ---------------------------

# At most this many open cases in view are sent one by one; more are sent as clusters.
MAP_POINTS_MAX = 500
# A cluster gathers the cases of one square cell about this many screen pixels wide.
MAP_CELL_PX = 64
MAP_ZOOM_DEFAULT = 12
MAP_ZOOM_MAX = 22
# At this zoom and below a cell is wider than a grid: the map sums the open counts kept
# per grid (``OpenMapCount``) at each grid's centroid instead of passing over the cases.
MAP_COUNTS_ZOOM_MAX = 13
POINT_FIELDS = ("id", "number", "title", "status", "lng", "lat", "due_at", "warn_at")


@dataclass
class MapView:
    """What the map shows of the open cases in a box: every one, as points or clusters.

    ``total`` is the number of open cases in the box; the points and the clusters' counts
    always add up to it (nothing is cut).
    """

    total: int
    points: list[dict]
    clusters: list[dict]
    cell: float | None  # the cell side in degrees, None when every case is a point


def map_cell_degrees(zoom: int) -> float:
    """The side of a cluster cell at ``zoom``, in degrees (≈ ``MAP_CELL_PX`` on screen)."""
    return 360 / 2**zoom * MAP_CELL_PX / 256


def open_on_map(user, bbox: tuple[float, float, float, float] | None = None, zoom=None, now=None):
    """The open cases of ``user``'s scope inside ``bbox`` (west, south, east, north, WGS84).

    Up to ``MAP_POINTS_MAX`` of them come as points; more are grouped by a grid of square
    cells snapped to whole multiples of ``map_cell_degrees(zoom)`` (one GROUP BY, so the
    work is one pass over the open cases in the box whatever their number), a cell with a
    single case still being a point. A cluster carries its count, its cases' mean position,
    their bounds (to zoom into) and how many are overdue.
    """
    now = now or timezone.now()
    # Spelt as the condition of the index of open cases on the map, for PostgreSQL to use it.
    placed = Case.objects.exclude(status__in=CLOSED_ORDER).filter(
        lat__isnull=False, lng__isnull=False
    )
    cases = visible_cases(user, placed).order_by()
    if bbox is not None:
        west, south, east, north = bbox
        cases = cases.filter(lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north)
    zoom = MAP_ZOOM_DEFAULT if zoom is None else max(0, min(int(zoom), MAP_ZOOM_MAX))
    cell = map_cell_degrees(zoom)
    if zoom <= MAP_COUNTS_ZOOM_MAX:
        counted = _counted_on_map(user, placed, bbox, cell, now)
        if counted is not None:
            return counted
    cells = list(
        cases.annotate(cx=Floor(F("lng") / cell), cy=Floor(F("lat") / cell))
        .values("cx", "cy")
        .annotate(
            n=Count("id"),
            first=Min("id"),
            mean_lng=Avg("lng"),
            mean_lat=Avg("lat"),
            west=Min("lng"),
            south=Min("lat"),
            east=Max("lng"),
            north=Max("lat"),
            red=Count("id", filter=Q(due_at__lt=now)),
        )
        .order_by("cx", "cy")
    )
    total = sum(c["n"] for c in cells)
    if total <= MAP_POINTS_MAX:
        points = list(cases.order_by("-created_at", "-id").values(*POINT_FIELDS))
        return MapView(total=total, points=points, clusters=[], cell=None)
    singles = [c["first"] for c in cells if c["n"] == 1]
    points = list(Case.objects.filter(pk__in=singles).order_by("-id").values(*POINT_FIELDS))
    clusters = [
        {
            "count": c["n"],
            "lng": c["mean_lng"],
            "lat": c["mean_lat"],
            "bounds": [c["west"], c["south"], c["east"], c["north"]],
            "red": c["red"],
        }
        for c in cells
        if c["n"] > 1
    ]
    return MapView(total=total, points=points, clusters=clusters, cell=cell)


def _counted_on_map(user, placed, bbox, cell: float, now) -> MapView | None:
    """``open_on_map`` at a zoom where a cell is wider than a grid, from ``OpenMapCount``.

    The open cases of a grid count where the grid's centroid is (in the box when the
    centroid is); the cases the counts cannot place or scope — no grid, a grid with no
    centroid, or seen through a department, a grant or their author rather than a region —
    are read one by one as before. The total is exact for that rule; ``red`` counts the
    cases the overdue scan marked. None when the user sees no region (or few cases in the
    box): the caller passes over the cases.
    """
    from .models import OpenMapCount
    from .scope import _is_admin

    admin = _is_admin(user)
    if not admin and (user.is_integration or user.has_role(Role.INTEGRATION)):
        return None
    mine = None if admin else region_paths(user)
    if mine == []:
        return None
    rows = list(
        OpenMapCount.objects.filter(open_cases__gt=0)
        .exclude(region_path="")
        .values_list("region_path", "owner", "open_cases", "overdue_cases")
    )
    if mine is not None:
        owners = {owner for _path, owner, _n, _red in rows if owner}
        owner_paths = dict(Region.objects.filter(pk__in=owners).values_list("pk", "path"))

        def seen(path, owner) -> bool:
            return any(
                p.startswith(m) for p in (path, owner_paths.get(owner, "")) if p for m in mine
            )

        rows = [row for row in rows if seen(row[0], row[1])]
    per_grid: dict[str, list[int]] = {}
    for path, _owner, n, red in rows:
        sums = per_grid.setdefault(path, [0, 0])
        sums[0] += n
        sums[1] += red
    centres: dict[str, tuple[float, float]] = {
        path: (x, y)
        for path, x, y in Region.objects.filter(path__in=per_grid).values_list(
            "path", "centroid_lng", "centroid_lat"
        )
        if x is not None and y is not None
    }
    unplaced = [path for path in per_grid if path not in centres]
    # The cases the counts leave out, read one by one (index-driven, each a few rows).
    in_box = placed
    if bbox is not None:
        west, south, east, north = bbox
        in_box = placed.filter(lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north)
    left_out = [in_box.filter(region_path__in=["", *unplaced])]
    if mine is not None:
        counted = ~Q(region_path="") & ~Q(region_path__in=unplaced) & paths_query(mine)
        departments = user.department_ids
        others = [
            Q(created_by=user),
            Q(pk__in=CaseAccess.objects.filter(user=user).values("case_id")),
        ]
        if departments:
            co = Case.co_departments.through.objects.filter(department_id__in=departments)
            others += [
                Q(main_department_id__in=departments),
                Q(pk__in=co.values("case_id")),
                Q(
                    pk__in=CaseAccess.objects.filter(department_id__in=departments).values(
                        "case_id"
                    )
                ),
            ]
        left_out = [visible_cases(user, q) for q in left_out]
        left_out += [in_box.filter(other).exclude(counted) for other in others]
    extra_ids: set[int] = set()
    for query in left_out:
        extra_ids.update(query.order_by().values_list("id", flat=True))
    if bbox is not None:
        west, south, east, north = bbox
        centres = {
            path: (x, y)
            for path, (x, y) in centres.items()
            if west <= x <= east and south <= y <= north
        }
    total = sum(per_grid[path][0] for path in centres) + len(extra_ids)
    if total <= MAP_POINTS_MAX:
        return None
    # Cells: the grids at their centroids and the left-out cases at their places.
    cells: dict[tuple[int, int], dict] = {}

    def add(lng, lat, n, red, west, south, east, north, first=None):
        key = (math.floor(lng / cell), math.floor(lat / cell))
        c = cells.setdefault(
            key,
            {
                "n": 0,
                "sum_lng": 0.0,
                "sum_lat": 0.0,
                "red": 0,
                "first": None,
                "bounds": [west, south, east, north],
                "grids": [],
            },
        )
        c["n"] += n
        c["sum_lng"] += lng * n
        c["sum_lat"] += lat * n
        c["red"] += red
        c["first"] = first if c["first"] is None else c["first"]
        b = c["bounds"]
        c["bounds"] = [min(b[0], west), min(b[1], south), max(b[2], east), max(b[3], north)]
        return c

    for path, (lng, lat) in centres.items():
        n, red = per_grid[path]
        add(lng, lat, n, red, lng, lat, lng, lat)["grids"].append(path)
    if extra_ids:
        extras = Case.objects.filter(pk__in=extra_ids).values_list("id", "lng", "lat", "due_at")
        for pk, ex, ey, due_at in extras:
            add(ex, ey, 1, int(due_at is not None and due_at < now), ex, ey, ex, ey, pk)
    singles = [c for c in cells.values() if c["n"] == 1]
    # A cell holding one case is a point: find the case of a lone grid.
    lone = [c["grids"][0] for c in singles if c["grids"]]
    found: dict[str, list[int]] = {}
    if lone:
        for pk, path in visible_cases(user, placed.filter(region_path__in=lone)).values_list(
            "id", "region_path"
        ):
            found.setdefault(path, []).append(pk)
    point_ids = []
    for c in singles:
        if not c["grids"]:
            point_ids.append(c["first"])
        elif len(found.get(c["grids"][0], ())) == 1:
            point_ids.append(found[c["grids"][0]][0])
        else:
            continue
        c["point"] = True
    points = list(Case.objects.filter(pk__in=point_ids).order_by("-id").values(*POINT_FIELDS))
    clusters = [
        {
            "count": c["n"],
            "lng": c["sum_lng"] / c["n"],
            "lat": c["sum_lat"] / c["n"],
            "bounds": c["bounds"],
            "red": c["red"],
        }
        for _key, c in sorted(cells.items())
        if not c.get("point")
    ]
    return MapView(total=total, points=points, clusters=clusters, cell=cell)


def light_of(due_at, warn_at, now=None) -> str:
    """``Case.light`` for a row read with ``values()`` (open cases only)."""
    return light_at(due_at, warn_at, now or timezone.now())


def earlier_cases(user, phone: str, *, exclude: Case | None = None, limit: int = 10):
    """The caller's earlier cases that ``user`` may see, newest first.

    Found by the keyed phone hash (``services.phone_hash``), never by reading phones;
    scoped before the limit, so a caller with many cases elsewhere still shows ours.
    """
    from .services import phone_hash

    key = phone_hash(phone)
    if not key:
        return Case.objects.none()
    query = visible_cases(user, Case.objects.filter(reporter_phone_hash=key))
    if exclude is not None:
        query = query.exclude(pk=exclude.pk)
    # What the list of them shows: not the text or the joined rows.
    shown = ("number", "title", "status", "created_at", "reporter_name", "reporter_phone")
    return query.only(*shown).order_by("-created_at")[:limit]


# --- the timeline ------------------------------------------------------------------


def _referral(kind):
    return str(lifecycle.REFERRAL_KINDS.get(kind, kind))


def _call_outcome(outcome):
    from .callbacks import Outcome

    return events.choice(Outcome)(outcome)


def _local_time(value):
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def _escalation(to):
    return str(_("joint consultation")) if to == "joint" else str(_("the next higher centre"))


# What the timeline shows of the data of ``cases``' own kinds: key → (label, how to show
# the value). Upper apps declare how theirs are shown with their kinds (``events.Kind``).
EVENT_DATA: events.Shown = {
    "channel": (_("channel"), events.choice(Channel)),
    "needs_placement": (_("needs manual placement"), events.flag),
    "main_department": (_("main department"), str),
    "co_departments": (_("co-handling departments"), events.names),
    "department": (_("returned by"), str),
    "withdrawn_from": (_("withdrawn from"), str),
    "from_department": (_("taken from"), str),
    "return_accepted": (_("return accepted"), events.flag),
    "grid": (_("grid"), str),
    "into": (_("merged into"), str),
    "case": (_("case merged in"), str),
    "kind": (_("referred because"), _referral),
    "days": (_("working days"), str),
    "rating": (_("rating"), events.choice(Rating)),
    "by": (_("rated by"), lambda _v: str(_("the citizen, on the tracking page"))),
    "comment": (_("citizen's comment"), str),
    "to": (_("escalated to"), _escalation),
    "outcome": (_("result of the call"), _call_outcome),
    "result": (_("callback result"), events.choice(CallbackResult)),
    "attempt": (_("try"), str),
    "next_try_at": (_("next try from"), _local_time),
    "region": (_("centre"), str),
    "category": (_("category set to"), str),
    "urgency": (_("urgency set to"), events.choice(Urgency)),
}


def _own_details(event: CaseEvent) -> list[tuple[str, str]]:
    # Read at call time: the upper apps' keys (``events.DATA_KEYS``) come from the wiring.
    return events.details_of({**EVENT_DATA, **events.DATA_KEYS})(event)


def event_details(event: CaseEvent) -> list[tuple[str, str]]:
    """(label, value) pairs of an event's data, for people to read."""
    known = events.KINDS.get(event.action)
    if known is not None and known.details is not None:
        return known.details(event)
    return _own_details(event)


@dataclass(frozen=True)
class TimelineEntry:
    """One event as staff read it on the case page: the event, its label, its data."""

    event: CaseEvent
    label: str
    details: list[tuple[str, str]]


def timeline(case: Case, *, latest: int | None = None) -> list[TimelineEntry]:
    """The case's events, oldest first, with their actors and files loaded; only the
    ``latest`` ones when given."""
    rows = case.events.select_related("actor").prefetch_related("attachments")
    if latest is not None:
        # The newest ``latest`` events, back in the order they happened.
        rows = rows.order_by("-at", "-id")[:latest]
        return [TimelineEntry(e, action_label(e.action), event_details(e)) for e in rows][::-1]
    return [TimelineEntry(e, action_label(e.action), event_details(e)) for e in rows]


def light_counts(cases: QuerySet, now=None) -> dict[str, Capped]:
    """How many of ``cases`` show each light, in one statement, each up to
    ``WORK_COUNT_BOUND``."""
    now = now or timezone.now()
    lights = (Light.RED, Light.YELLOW, Light.GREEN)
    each = {light.value: cases.filter(light_q(light, now)) for light in lights}
    return counts_up_to({"all": cases, **each}, WORK_COUNT_BOUND)
