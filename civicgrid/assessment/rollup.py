"""The rollup: ``DailyFigure`` and its coarse sum over people ``AreaFigure`` kept
current from the case events, incrementally.

Public API (``analytics`` and the assessment pages read the figures; only this module
writes them):

- ``roll_up(batch=2000, progress=None) -> int``: fold the events written since the
  watermark into the figures; returns how many new events it read. Idempotent, and
  safe to run from several processes (they queue on the watermark row). Run by
  ``civicgrid rollup`` (the demo runs it every minute).
- ``rebuild_month(year, month, progress=None) -> int``: recompute one month's cells
  from scratch (``civicgrid rollup --rebuild --month YYYY-MM``); returns the cases read.
  On PostgreSQL the month's cells are written set-based (``INSERT … SELECT … GROUP BY``).
- ``tally(case, events, lookups) -> dict[key, dict[counter, n]]``: what one case adds
  to the figures, a pure function of the case's fixed attributes and its events.
- ``figures_from_scratch() -> dict[key, dict[counter, n]]``: every cell recomputed from
  all events, without touching the tables (tests and checks compare it with the table);
  ``by_area(cells)`` sums them over people, as ``AreaFigure`` holds them.

How it stays exact: each case's contribution (its tally) is recomputed from *all* its
events whenever one of them is new, and only the difference from the stored tally is
added to the cells. The cells are therefore always the sum of the tallies, whatever the
order or the number of runs. Each run also re-reads the last ``REWIND`` event ids before
the watermark, so an event whose transaction committed after a later one was read is
still counted (re-tallying an unchanged case changes nothing).

Which event adds to which counter, and the deadline each "on time" is measured against,
is ``tally`` below and docs/assessment.md.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from civicgrid.cases import deadlines
from civicgrid.cases.lifecycle import Action as A  # noqa: N817 (the lifecycle's own alias)
from civicgrid.cases.models import Case, CaseEvent, Rating
from civicgrid.core.calendar import get_calendar
from civicgrid.core.workcal import WorkCalendar
from civicgrid.regions.models import Region
from civicgrid.routing.models import Category, Department, LimitUnit, Step

from .models import (
    COUNTERS,
    AreaFigure,
    CaseTally,
    Cell,
    CommunityFigure,
    DailyFigure,
    RollupState,
    UnitFigure,
)

REWIND = 500
Cells = dict[str, dict[str, int]]
Progress = Callable[[int], object] | None


def cell_key(day: date, department_id, region_id, category_id, channel: str, person_id) -> str:
    """The ``DailyFigure.key`` of one cell."""
    parts = (department_id, region_id, category_id, channel, person_id)
    return day.isoformat() + "|" + "|".join("" if p is None else str(p) for p in parts)


def parse_key(key: str) -> dict:
    """The dimensions of a cell key, as ``DailyFigure`` field values."""
    day, department, region, category, channel, person = key.split("|")

    def num(text):
        return int(text) if text else None

    return {
        "day": date.fromisoformat(day),
        "department_id": num(department),
        "region_id": num(region),
        "category_id": num(category),
        "channel": channel,
        "person_id": num(person),
    }


def area_key(key: str) -> str:
    """The ``AreaFigure`` key of a cell key: the same cell without its person."""
    return key.rsplit("|", 1)[0]


def parse_area_key(key: str) -> dict:
    """The dimensions of an ``AreaFigure`` key, as its field values."""
    dims = parse_key(key + "|")
    del dims["person_id"]
    return dims


def community_key(key: str, lookups: "Lookups") -> str:
    """The ``CommunityFigure`` key of a cell key (with or without its person part): its
    day and its region's community (a grid's parent; any other region itself)."""
    day, _department, region = key.split("|")[:3]
    found = lookups.community_of.get(int(region)) if region else None
    return f"{day}|{'' if found is None else found}"


def unit_key(key: str, lookups: "Lookups") -> str:
    """The ``UnitFigure`` key of a cell key: its day, unit and region's street."""
    day, department, region = key.split("|")[:3]
    found = lookups.street_of.get(int(region)) if region else None
    return f"{day}|{department}|{'' if found is None else found}"


def parse_unit_key(key: str) -> dict:
    day, department, region = key.split("|")
    return {
        "day": date.fromisoformat(day),
        "department_id": int(department) if department else None,
        "region_id": int(region) if region else None,
        "category_id": None,
        "channel": "",
    }


def by_unit(cells: Cells, lookups: "Lookups | None" = None) -> Cells:
    """``cells`` summed per day, unit and street: the ``UnitFigure`` cells."""
    lookups = lookups or Lookups.load()
    total: dict[str, Counter] = defaultdict(Counter)
    for key, counts in cells.items():
        total[unit_key(key, lookups)].update(counts)
    return {k: {c: n for c, n in v.items() if n} for k, v in total.items() if any(v.values())}


def parse_community_key(key: str) -> dict:
    day, region = key.split("|")
    return {
        "day": date.fromisoformat(day),
        "department_id": None,
        "region_id": int(region) if region else None,
        "category_id": None,
        "channel": "",
    }


def by_community(cells: Cells, lookups: "Lookups | None" = None) -> Cells:
    """``cells`` summed per day and community: the ``CommunityFigure`` cells."""
    lookups = lookups or Lookups.load()
    total: dict[str, Counter] = defaultdict(Counter)
    for key, counts in cells.items():
        total[community_key(key, lookups)].update(counts)
    return {k: {c: n for c, n in v.items() if n} for k, v in total.items() if any(v.values())}


def by_area(cells: Cells) -> Cells:
    """``cells`` summed over people: the ``AreaFigure`` cells they add up to."""
    total: dict[str, Counter] = defaultdict(Counter)
    for key, counts in cells.items():
        total[area_key(key)].update(counts)
    return {k: {c: n for c, n in v.items() if n} for k, v in total.items() if any(v.values())}


def streets_of_regions() -> dict[int, int]:
    """{region id: the id of the street it lies in}; a region above a street, itself."""
    rows = list(Region.objects.values_list("pk", "path", "level"))
    streets = {path: pk for pk, path, level in rows if level == "street"}
    found = {}
    for pk, path, _level in rows:
        codes = [c for c in path.split("/") if c]
        prefixes = ("/".join(codes[:n]) + "/" for n in range(1, len(codes) + 1))
        found[pk] = next((streets[p] for p in prefixes if p in streets), pk)
    return found


@dataclass
class Lookups:
    """Reference data one run reads once: regions, top categories, departments, limits."""

    region_by_code: dict[str, tuple[int, str]] = field(default_factory=dict)
    region_path: dict[int, str] = field(default_factory=dict)
    community_of: dict[int, int] = field(default_factory=dict)
    street_of: dict[int, int] = field(default_factory=dict)
    top_category: dict[int, int] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    department_by_name: dict[str, int | None] = field(default_factory=dict)
    limits: dict[tuple, deadlines.Limit] = field(default_factory=dict)
    calendar: WorkCalendar | None = None

    @classmethod
    def load(cls) -> "Lookups":
        found = cls()
        for pk, code, path, level, above in Region.objects.values_list(
            "pk", "code", "path", "level", "parent_id"
        ):
            found.region_by_code[code] = (pk, path)
            found.region_path[pk] = path
            found.community_of[pk] = above if level == "grid" and above else pk
        found.street_of = streets_of_regions()
        categories = {c.pk: c for c in Category.objects.all()}
        for category in categories.values():
            parent = category.parent_id
            category.parent = categories.get(parent) if parent else None  # no query on lineage()
        found.categories = categories
        found.calendar = get_calendar()  # one copy for the run
        for pk, category in categories.items():
            node = category
            while node.parent is not None:
                node = node.parent
            found.top_category[pk] = node.pk
        for pk, name in Department.objects.values_list("pk", "name"):
            # A name two departments share says nothing: None, and the case's is used.
            found.department_by_name[name] = None if name in found.department_by_name else pk
        return found

    def due(self, category_id, urgency: str, step: str, start: datetime) -> datetime:
        key = (category_id, urgency, step)
        if key not in self.limits:
            category = self.categories.get(category_id) if category_id else None
            self.limits[key] = deadlines.limit_for(category, urgency, step)
        limit = self.limits[key]
        return self.add(start, limit.amount, limit.unit)

    def add(self, start: datetime, amount: float, unit: str) -> datetime:
        """``deadlines.add_limit`` on the run's calendar (read once, not per event)."""
        calendar = self.calendar or get_calendar()
        if unit == LimitUnit.MINUTES:
            return start + timedelta(minutes=amount)
        if unit == LimitUnit.HOURS:
            return start + timedelta(hours=amount)
        if unit == LimitUnit.DAYS:
            return start + timedelta(days=amount)
        if unit == LimitUnit.WORKING_HOURS:
            return calendar.add_working_minutes(start, amount * 60)
        return calendar.add_working_days(start, amount)


@dataclass(frozen=True)
class CaseFacts:
    """The attributes of a case a tally reads (never its changing status)."""

    pk: int
    grid_id: int | None
    region_path: str
    category_id: int | None
    channel: str
    urgency: str
    main_department_id: int | None


CASE_FIELDS = (
    "pk",
    "grid_id",
    "region_path",
    "category_id",
    "channel",
    "urgency",
    "main_department_id",
)
EVENT_FIELDS = ("case_id", "id", "at", "action", "actor_id", "data")


def _region_of(case: CaseFacts, lookups: Lookups) -> int | None:
    if case.grid_id:
        return case.grid_id
    codes = [c for c in case.region_path.split("/") if c]
    for code in reversed(codes):
        if code in lookups.region_by_code:
            return lookups.region_by_code[code][0]
    return None


def _department(data: dict, fallback, lookups: Lookups):
    if data.get("department_id"):
        return int(data["department_id"])
    name = data.get("main_department")
    if name and lookups.department_by_name.get(name):
        return lookups.department_by_name[name]
    return fallback


def tally(case: CaseFacts, events: Iterable[tuple], lookups: Lookups) -> Cells:
    """What ``case`` adds to the figures: {cell key: {counter: n}}.

    ``events`` are the case's (id, at, action, actor_id, data) in the order they
    happened. Each counter is set by one kind of move; the unit is the one in charge
    at the event (set by a dispatch or reassignment, cleared by an accepted return or
    a withdrawal; a return counts for the unit that returns). "On time" compares the
    move with the deadline of its step, computed from the moment the step began by the
    time limits in force (working time), as the lifecycle computes it.
    """
    cells: dict[str, Counter] = defaultdict(Counter)
    region = _region_of(case, lookups)
    category = lookups.top_category.get(case.category_id) if case.category_id else None
    department = None
    ack_from = handle_due = verify_from = callback_from = None
    extension_days = 0
    reply_on_time = True

    def due(step, start):
        return lookups.due(case.category_id, case.urgency, step, start)

    def add(day, unit, actor_id, *counters):
        key = cell_key(day, unit, region, category, case.channel, actor_id)
        for counter in counters:
            cells[key][counter] += 1

    def timely(at, start, step) -> bool:
        return start is None or at <= due(step, start)

    for _id, at, action, actor_id, data in events:
        data = data or {}
        day = timezone.localtime(at).date()
        if action in (A.DISPATCH, A.REASSIGN):
            department = _department(data, case.main_department_id, lookups)
        elif action in (A.ACCEPT_RETURN, A.WITHDRAW):
            department = handle_due = None
        put = partial(add, day, department, actor_id)

        if action == A.REGISTER:
            put("received")
        elif action == A.ANSWER_DIRECTLY:
            put("direct_answers", "closed", "closed_on_time")
        elif action == A.REFER:
            put("referred", "closed", "closed_on_time")
            if data.get("kind") == "repeat":
                put("repeats")
        elif action == A.MERGE:
            put("merged", "repeats")
        elif action in (A.DISPATCH, A.REASSIGN, A.REOPEN):
            put("dispatched", *(("reopened",) if action == A.REOPEN else ()))
            ack_from = at
            handle_due = due(Step.HANDLE, at)
            extension_days = 0
        elif action == A.ACKNOWLEDGE:
            ok = timely(at, ack_from, Step.ACKNOWLEDGE)
            put("acknowledged", "ack_on_time" if ok else "ack_late")
        elif action == A.RETURN:
            add(day, _department(data, department, lookups), actor_id, "returned")
        elif action == A.REQUEST_EXTENSION:
            put("extension_requested")
        elif action == A.APPROVE_EXTENSION:
            put("extended")
            extension_days += int(data.get("days") or 0)
            if data.get("due_at"):
                handle_due = datetime.fromisoformat(data["due_at"])
        elif action == A.REPLY:
            reply_on_time = handle_due is None or at <= handle_due
            put("replied", "replied_on_time" if reply_on_time else "replied_late")
            verify_from = at
        elif action in (A.VERIFY_PASS, A.VERIFY_FAIL):
            ok = timely(at, verify_from, Step.VERIFY)
            put("verify_checks", "verify_on_time" if ok else "verify_late")
            if action == A.VERIFY_PASS:
                put("verified")
                callback_from = at
            else:
                put("verify_failed")
                # The rework gets the handling time again, and keeps the days granted.
                handle_due = due(Step.HANDLE, at)
                if extension_days:
                    handle_due = lookups.add(handle_due, extension_days, LimitUnit.WORKING_DAYS)
        elif action == A.CALLBACK:
            ok = timely(at, callback_from, Step.CALLBACK)
            put("callbacks", "callback_on_time" if ok else "callback_late")
            rating = data.get("rating")
            if rating in Rating.values:
                put("rated", rating)
            if rating != Rating.UNSATISFIED:
                put("resolved")
        elif action == A.CLOSE:
            put("closed", *(("closed_on_time",) if reply_on_time else ()))
        elif action == A.MARK_OVERDUE:
            put("overdue")
        elif action == A.URGE:
            put("urged")
    return {key: dict(counts) for key, counts in cells.items() if counts}


def _facts(rows: Iterable[dict]) -> dict[int, CaseFacts]:
    return {row["pk"]: CaseFacts(**row) for row in rows}


def tallies_for(case_ids: list[int], lookups: Lookups) -> dict[int, Cells]:
    """The tallies of these cases, from their events now (empty for a case with none)."""
    facts = _facts(Case.objects.filter(pk__in=case_ids).values(*CASE_FIELDS))
    by_case: dict[int, list] = defaultdict(list)
    rows = (
        CaseEvent.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "at", "id")
        .values_list(*EVENT_FIELDS)
    )
    for case_id, *event in rows.iterator(chunk_size=5000):
        by_case[case_id].append(event)
    return {pk: tally(facts[pk], by_case.get(pk, ()), lookups) for pk in facts}


def _add_cells(total: dict[str, Counter], cells: Cells, sign: int = 1, keep=None) -> None:
    for key, counts in cells.items():
        if keep is not None and not keep(key):
            continue
        for counter, n in counts.items():
            total[key][counter] += sign * n


def _write(delta: dict[str, Counter], lookups: Lookups) -> None:
    """Add ``delta`` to the cells of the rollups (``DailyFigure``; summed over people,
    ``AreaFigure``; per community and day, ``CommunityFigure``), creating, updating and
    deleting rows left at zero."""
    _write_cells(DailyFigure, delta, parse_key, lookups)
    coarse: dict[str, Counter] = defaultdict(Counter)
    for key, counts in delta.items():
        coarse[area_key(key)].update(counts)
    _write_cells(AreaFigure, coarse, parse_area_key, lookups)
    screen: dict[str, Counter] = defaultdict(Counter)
    for key, counts in coarse.items():
        screen[community_key(key, lookups)].update(counts)
    _write_cells(CommunityFigure, screen, parse_community_key, lookups)
    units: dict[str, Counter] = defaultdict(Counter)
    for key, counts in coarse.items():
        units[unit_key(key, lookups)].update(counts)
    _write_cells(UnitFigure, units, parse_unit_key, lookups)


def _write_cells(
    model: type[Cell], delta: dict[str, Counter], parse: Callable[[str], dict], lookups: Lookups
) -> None:
    if connection.vendor == "postgresql":
        _write_cells_copy(model, delta, parse, lookups)
        return
    keys = [key for key, counts in delta.items() if any(counts.values())]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing = {f.key: f for f in model.objects.filter(key__in=chunk)}  # type: ignore[attr-defined]
        new, changed = [], []
        for key in chunk:
            figure = existing.get(key)
            if figure is None:
                dims = parse(key)
                figure = model(  # type: ignore[misc]
                    key=key,
                    region_path=lookups.region_path.get(dims["region_id"] or 0, ""),
                    **dims,
                )
                new.append(figure)
            else:
                changed.append(figure)
            for counter, n in delta[key].items():
                setattr(figure, counter, getattr(figure, counter) + n)
        # Changed rows are replaced (delete, insert): one statement each way, where an
        # UPDATE of 33 columns per row (bulk_update's CASE … WHEN) is far slower.
        if changed:
            model.objects.filter(pk__in=[f.pk for f in changed]).delete()  # type: ignore[attr-defined]
            for figure in changed:
                figure.pk = None
        model.objects.bulk_create(  # type: ignore[attr-defined]
            [f for f in new + changed if any(getattr(f, c) for c in COUNTERS)], batch_size=1000
        )


def _write_cells_copy(
    model: type[Cell], delta: dict[str, Counter], parse: Callable[[str], dict], lookups: Lookups
) -> None:
    """PostgreSQL: ``delta`` copied into a scratch table, then added in one upsert, and
    the cells left at zero deleted in one statement (set-based, no row by row)."""
    keys = [key for key, counts in delta.items() if any(counts.values())]
    if not keys:
        return
    table = model._meta.db_table
    dims = ["day", "department_id", "region_id", "category_id", "channel"]
    if model is DailyFigure:
        dims.append("person_id")
    columns = ", ".join(["key", "region_path", *dims, *COUNTERS])
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    zero = " AND ".join(f"t.{c} = 0" for c in COUNTERS)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("DROP TABLE IF EXISTS rollup_delta")
        cursor.execute(
            f"CREATE TEMP TABLE rollup_delta AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY rollup_delta ({columns}) FROM STDIN") as copy:
            for key in keys:
                found = parse(key)
                path = lookups.region_path.get(found["region_id"] or 0, "")
                counts = delta[key]
                copy.write_row(
                    (key, path, *(found[d] for d in dims), *(counts.get(c, 0) for c in COUNTERS))
                )
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM rollup_delta "
            f"ON CONFLICT (key) DO UPDATE SET {added}"
        )
        cursor.execute(f"DELETE FROM {table} t USING rollup_delta d WHERE t.key = d.key AND {zero}")
        cursor.execute("DROP TABLE rollup_delta")


def _save_tallies(changed: dict[int, Cells]) -> None:
    """Store these cases' tallies (replacing the ones stored)."""
    if not changed:
        return
    if connection.vendor != "postgresql":
        CaseTally.objects.bulk_create(
            [CaseTally(case_id=pk, cells=cells) for pk, cells in changed.items()],
            update_conflicts=True,
            unique_fields=["case"],
            update_fields=["cells"],
        )
        return
    table = CaseTally._meta.db_table
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("DROP TABLE IF EXISTS rollup_tallies")
        cursor.execute(f"CREATE TEMP TABLE rollup_tallies AS SELECT * FROM {table} WITH NO DATA")
        with cursor.copy("COPY rollup_tallies (case_id, cells) FROM STDIN") as copy:
            for pk, cells in changed.items():
                copy.write_row((pk, json.dumps(cells)))
        cursor.execute(
            f"INSERT INTO {table} (case_id, cells) SELECT case_id, cells FROM rollup_tallies "
            "ON CONFLICT (case_id) DO UPDATE SET cells = excluded.cells"
        )
        cursor.execute("DROP TABLE rollup_tallies")


def _retally(case_ids: list[int], lookups: Lookups, keep=None) -> tuple[dict, dict[int, Cells]]:
    """Recompute these cases' tallies; the change to the cells, and the new tallies.

    Saves the new tallies. ``keep`` limits the change to the cell keys it accepts.
    """
    old = dict(CaseTally.objects.filter(case_id__in=case_ids).values_list("case_id", "cells"))
    new = tallies_for(case_ids, lookups)
    delta: dict[str, Counter] = defaultdict(Counter)
    for pk in set(old) | set(new):
        _add_cells(delta, old.get(pk) or {}, -1, keep)
        _add_cells(delta, new.get(pk) or {}, 1, keep)
    _save_tallies({pk: cells for pk, cells in new.items() if cells != old.get(pk)})
    return delta, new


def roll_up(*, batch: int = 20000, progress: Progress = None, total: Progress = None) -> int:
    """Fold every event written since the watermark into the figures; the events read.

    ``total(n)`` is told how many new events there are, ``progress(k)`` each batch's
    count, for a progress bar. Each batch commits its figures with its watermark.
    """
    RollupState.objects.get_or_create(pk=1)
    top = CaseEvent.objects.aggregate(top=Max("id"))["top"] or 0
    start = RollupState.objects.get(pk=1).last_event_id
    if total:
        total(max(0, top - start))
    lookups = Lookups.load()
    read = 0
    while True:
        with transaction.atomic():
            state = RollupState.objects.select_for_update().get(pk=1)
            mark = state.last_event_id
            if mark >= top:
                break
            ids = list(
                CaseEvent.objects.filter(id__gt=mark, id__lte=top)
                .order_by("id")
                .values_list("id", "case_id")[:batch]
            )
            if not ids:
                state.last_event_id = top
                state.updated_at = timezone.now()
                state.save()
                break
            case_ids = {case_id for _id, case_id in ids}
            if mark and read == 0:
                # Late commits just below the watermark (see the module's docstring).
                case_ids |= set(
                    CaseEvent.objects.filter(id__gt=max(0, mark - REWIND), id__lte=mark)
                    .values_list("case_id", flat=True)
                    .distinct()
                )
            delta, _new = _retally(sorted(case_ids), lookups)
            _write(delta, lookups)
            state.last_event_id = ids[-1][0]
            state.updated_at = timezone.now()
            state.save()
        read += len(ids)
        if progress:
            progress(len(ids))
    return read


def rebuild_month(year: int, month: int, *, progress: Progress = None, total=None) -> int:
    """Recompute the cells of one month from the events; the number of cases read.

    The tallies of every case with an event in the month are recomputed from all its
    events (Python: the deadlines are in working time) and saved; what they add to
    other months is applied as a difference. The month's cells are then replaced: on
    PostgreSQL by one ``INSERT … SELECT … GROUP BY`` over the saved tallies for
    ``DailyFigure`` and one over ``DailyFigure`` for ``AreaFigure`` (set-based); on
    SQLite the cells summed in Python are written.
    """
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    prefix = f"{year:04d}-{month:02d}-"
    tz = timezone.get_current_timezone()
    since = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    until = datetime.combine(after, datetime.min.time(), tzinfo=tz)
    # A cell's day is its event's day: the month's cells come from these cases alone.
    case_ids = sorted(
        set(
            CaseEvent.objects.filter(at__gte=since, at__lt=until)
            .values_list("case_id", flat=True)
            .distinct()
        )
    )
    if total:
        total(len(case_ids))
    lookups = Lookups.load()
    set_based = connection.vendor == "postgresql"
    with transaction.atomic():
        RollupState.objects.get_or_create(pk=1)
        RollupState.objects.select_for_update().get(pk=1)
        in_month: dict[str, Counter] = defaultdict(Counter)
        outside: dict[str, Counter] = defaultdict(Counter)
        for start in range(0, len(case_ids), 2000):
            chunk = case_ids[start : start + 2000]
            delta, new = _retally(chunk, lookups, keep=lambda key: not key.startswith(prefix))
            for key, counts in delta.items():
                outside[key].update(counts)
            if not set_based:
                for cells in new.values():
                    _add_cells(in_month, cells, 1, lambda key: key.startswith(prefix))
            if progress:
                progress(len(chunk))
        _write(outside, lookups)
        DailyFigure.objects.filter(day__gte=first, day__lt=after).delete()
        AreaFigure.objects.filter(day__gte=first, day__lt=after).delete()
        CommunityFigure.objects.filter(day__gte=first, day__lt=after).delete()
        UnitFigure.objects.filter(day__gte=first, day__lt=after).delete()
        if set_based:
            _insert_month(case_ids, prefix, first, after)
        else:
            _write(in_month, lookups)
    return len(case_ids)


def _sums_sql(source: str) -> str:
    return ", ".join(source.format(c=c) for c in COUNTERS)


def _insert_month(case_ids: list[int], prefix: str, first: date, after: date) -> None:
    """PostgreSQL: the month's cells from the saved tallies, then summed over people.

    The cells are grouped once into a scratch table (each tally's cell read with one
    ``jsonb_to_record``, in memory: ``work_mem`` raised for this transaction), then
    written in key order: the key indexes then fill page after page, where rows in hash
    order cost a random page each (2.7× slower for 171,764 cells)."""
    daily, area = DailyFigure._meta.db_table, AreaFigure._meta.db_table
    tallies, regions = CaseTally._meta.db_table, Region._meta.db_table
    counters = ", ".join(COUNTERS)
    dims = "day, department_id, region_id, region_path, category_id, channel"

    def part(n: int) -> str:
        return f"split_part(c.key, '|', {n})"

    def number(n: int) -> str:
        return f"NULLIF({part(n)}, '')::bigint"

    record = ", ".join(f"{c} int" for c in COUNTERS)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DROP TABLE IF EXISTS rollup_month")
        cursor.execute(
            f"""
            CREATE TEMP TABLE rollup_month ON COMMIT DROP AS
            SELECT c.key, {part(1)}::date AS day, {number(2)} AS department_id,
                   {number(3)} AS region_id, COALESCE(r.path, '') AS region_path,
                   {number(4)} AS category_id, {part(5)} AS channel,
                   {number(6)} AS person_id,
                   {_sums_sql("COALESCE(SUM(x.{c}), 0) AS {c}")}
            FROM {tallies} t
            CROSS JOIN LATERAL jsonb_each(t.cells) AS c(key, counts)
            CROSS JOIN LATERAL jsonb_to_record(c.counts) AS x({record})
            LEFT JOIN {regions} r ON r.id = {number(3)}
            WHERE t.case_id = ANY(%s) AND c.key LIKE %s
            GROUP BY c.key, r.path
            """,
            [case_ids, prefix + "%"],
        )
        cursor.execute(
            f"INSERT INTO {daily} (key, {dims}, person_id, {counters}) "
            f"SELECT key, {dims}, person_id, {counters} FROM rollup_month ORDER BY key"
        )
        cursor.execute(
            f"""
            INSERT INTO {area} (key, {dims}, {counters})
            SELECT regexp_replace(key, '[|][^|]*$', ''), {dims}, {_sums_sql("SUM({c})")}
            FROM rollup_month
            GROUP BY 1, {dims}
            ORDER BY 1
            """
        )
        cursor.execute("DROP TABLE rollup_month")
    fill_community_figures(connection, first, after)
    fill_unit_figures(connection, first, after)


def fill_unit_figures(db, first: date | None = None, after: date | None = None) -> None:
    """``UnitFigure`` from ``AreaFigure`` in one ``INSERT … SELECT … GROUP BY`` (the
    days in [first, after), all without them): each region at its street (the map from
    region to street passed as two arrays). The days' rows must be absent."""
    pairs = list(streets_of_regions().items())
    counters = ", ".join(COUNTERS)
    sums = ", ".join(f"SUM(a.{c})" for c in COUNTERS)
    where, params = ("WHERE a.day >= %s AND a.day < %s", [first, after]) if first else ("", [])
    if db.vendor == "postgresql":
        mapping = "SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS m(region_id, street_id)"
        values: list = [[p for p, _s in pairs], [s for _p, s in pairs]]
    else:
        rows = ", ".join(["(%s, %s)"] * len(pairs)) or "(NULL, NULL)"
        mapping = f"SELECT column1 AS region_id, column2 AS street_id FROM (VALUES {rows})"
        values = [v for pair in pairs for v in pair]
    with db.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO assessment_unitfigure (key, day, department_id, region_id,
                region_path, category_id, channel, {counters})
            SELECT CAST(a.day AS text) || '|' || COALESCE(CAST(a.department_id AS text), '')
                   || '|' || COALESCE(CAST(COALESCE(m.street_id, a.region_id) AS text), ''),
                   a.day, a.department_id, COALESCE(m.street_id, a.region_id),
                   COALESCE(s.path, a.region_path), NULL, '', {sums}
            FROM assessment_areafigure a
            LEFT JOIN ({mapping}) m ON m.region_id = a.region_id
            LEFT JOIN regions_region s ON s.id = m.street_id
            {where}
            GROUP BY 1, 2, 3, 4, 5
            ORDER BY 1
            """,
            values + params,
        )


def fill_community_figures(db, first: date | None = None, after: date | None = None) -> None:
    """``CommunityFigure`` from ``AreaFigure`` in one ``INSERT … SELECT … GROUP BY``
    (the days in [first, after), all without them): a grid's cells at its community
    (the grid's parent), any other region as itself. The days' rows must be absent."""
    counters = ", ".join(COUNTERS)
    sums = ", ".join(f"SUM(a.{c})" for c in COUNTERS)
    where, params = ("WHERE a.day >= %s AND a.day < %s", [first, after]) if first else ("", [])
    with db.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO assessment_communityfigure (key, day, department_id, region_id,
                region_path, category_id, channel, {counters})
            SELECT CAST(a.day AS text) || '|'
                   || COALESCE(CAST(COALESCE(p.id, a.region_id) AS text), ''),
                   a.day, NULL, COALESCE(p.id, a.region_id), COALESCE(p.path, a.region_path),
                   NULL, '', {sums}
            FROM assessment_areafigure a
            LEFT JOIN regions_region g ON g.id = a.region_id AND g.level = 'grid'
            LEFT JOIN regions_region p ON p.id = g.parent_id
            {where}
            GROUP BY 1, 2, 4, 5
            ORDER BY 1
            """,
            params,
        )


def figures_from_scratch() -> Cells:
    """Every cell recomputed from all the events, the tables untouched."""
    lookups = Lookups.load()
    total: dict[str, Counter] = defaultdict(Counter)
    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(case_ids), 2000):
        for cells in tallies_for(case_ids[start : start + 2000], lookups).values():
            _add_cells(total, cells)
    return {k: {c: n for c, n in v.items() if n} for k, v in total.items() if any(v.values())}


def figures_in_table(model: type[Cell] = DailyFigure) -> Cells:
    """The cells as stored (of ``model``: ``AreaFigure`` for the coarse rollup), in the
    shape of ``figures_from_scratch``."""
    found: Cells = {}
    rows = model.objects.values("key", *COUNTERS)  # type: ignore[attr-defined]
    for row in rows.iterator(chunk_size=5000):
        counts = {c: row[c] for c in COUNTERS if row[c]}
        if counts:
            found[row["key"]] = counts
    return found
