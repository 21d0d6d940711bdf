"""Growing a database with generated cases and their events: shared by the benchmarks.

Not a benchmark itself. ``bench/analytics.py``, ``bench/scale.py``, ``bench/pages.py`` and
``bench/export.py`` import it (the script's folder is on ``sys.path`` when a benchmark
runs, so ``import _grow`` works).

The cases are spread over the demo district (``load_demo``): its grids, the leaf
categories, the handling units, the channels, and the last ``days`` days (today
included). Each case went as far through the loop as its status says (register,
dispatch, acknowledge, reply, verify, callback, close: seven events for a closed case),
or was answered directly at intake with a knowledge entry (register, answer_directly);
most are closed, some open, three open cases in ten overdue (already marked so, as the
overdue job would have). Titles and texts are real citizen messages
(``civicgrid/demo/data/messages_sample.csv``), so text search and the hot issues find
what they would find in a real city.

On PostgreSQL the rows go in with ``COPY`` in batches (about 1,000 cases a second on a
busy 2-core machine); elsewhere (SQLite, the tests) with plain ``INSERT``s. The generator
streams, so memory stays flat at any size. Generated case numbers are ``B`` and eleven
digits, so a run can count and extend what an earlier one made.
"""

import csv
import hashlib
import json
import random
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

PREFIX = "B"
BATCH = 50_000
CHANNELS = {
    "hotline": 55,
    "web": 15,
    "citizen": 10,
    "grid_patrol": 10,
    "open311": 3,
    "police_diversion": 3,
    "sensor": 2,
    "walk_in": 1,
    "api": 1,
}
# How far a case got, and how often (the rest of the weight: closed).
STAGES = [
    ("registered", 0.004),
    ("dispatched", 0.007),
    ("handling", 0.025),
    ("replied", 0.009),
    ("verified", 0.005),
    ("rated", 0.004),
]
# Of the closed cases, those answered at intake from the knowledge base.
DIRECT_SHARE = 0.06
# Of the dispatched cases, those of the demo handler's unit (ZFJ): a busy inbox.
ZFJ_SHARE = 0.12
LOOP = [
    ("register", "", "registered"),
    ("dispatch", "registered", "dispatched"),
    ("acknowledge", "dispatched", "handling"),
    ("reply", "handling", "replied"),
    ("verify_pass", "replied", "verified"),
    ("callback", "verified", "rated"),
    ("close", "rated", "closed"),
]
DEPTH = {to: i for i, (_a, _f, to) in enumerate(LOOP)}
RATINGS = [("satisfied", 0.86), ("basically", 0.1), ("unsatisfied", 0.04)]
SURNAMES = "张王李赵刘陈杨黄周吴"
CASE_COLUMNS = [
    "number",
    "channel",
    "request_type",
    "urgency",
    "title",
    "content",
    "extra",
    "address",
    "lat",
    "lng",
    "input_datum",
    "region_path",
    "needs_placement",
    "joint_consultation",
    "reporter_name",
    "reporter_phone",
    "reporter_phone_hash",
    "status",
    "step_started_at",
    "due_at",
    "warn_at",
    "handle_due_at",
    "overdue_marked_for",
    "extension_days",
    "rating",
    "outcome",
    "reply",
    "reopen_count",
    "version",
    "created_at",
    "updated_at",
    "closed_at",
    "category_id",
    "grid_id",
    "owner_region_id",
    "owner_path",
    "title_words",
    "main_department_id",
    "created_by_id",
    "callback_result",
    "callback_tries",
]
EVENT_COLUMNS = [
    "at",
    "action",
    "from_status",
    "to_status",
    "note",
    "data",
    "public",
    "actor_id",
    "case_id",
]

Progress = Callable[[str], None] | None


def spread(district=None) -> dict:
    """What the cases are spread over, read once: the demo district's, or ``district``'s
    (its grids; the categories, units and accounts are the whole database's)."""
    from django.conf import settings

    from civicgrid.accounts.models import User
    from civicgrid.demo.load import DATA, DISTRICT_CODE
    from civicgrid.knowledge.models import Entry
    from civicgrid.regions.models import Level, Region
    from civicgrid.routing.models import Category, Department, DepartmentKind

    district = district or Region.objects.get(code=DISTRICT_CODE)
    grids = list(
        Region.objects.filter(level=Level.GRID, path__startswith=district.path)
        .order_by("pk")
        .values_list("pk", "path", "centroid_lng", "centroid_lat")
    )
    parents = set(Category.objects.exclude(parent=None).values_list("parent_id", flat=True))
    leaves = [
        pk
        for pk in Category.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)
        if pk not in parents
    ]
    units = list(
        Department.objects.exclude(kind=DepartmentKind.CENTRE)
        .order_by("pk")
        .values_list("pk", "code")
    )
    users = dict(User.objects.values_list("username", "pk"))
    with open(DATA / "messages_sample.csv", encoding="utf-8") as f:
        messages = list(csv.DictReader(f))
    # One category per message, as a call taker would choose: the hot issues group the
    # reports of one problem by category, street and wording.
    texts = [
        (
            m["title"][:200],
            m["detail"] or m["title"],
            leaves[zlib.crc32(m["title"].encode()) % len(leaves)],
        )
        for m in messages
    ]
    return {
        "district": district,
        "grids": grids,
        "leaves": leaves,
        "units": units,
        "zfj": next((pk for pk, code in units if code == "ZFJ"), None),
        "users": users,
        "handlers": {pk: users.get(f"h-{code.lower()}") for pk, code in units},
        "texts": texts,
        "entries": list(Entry.objects.order_by("pk").values_list("pk", flat=True)[:200]),
        "secret": settings.SECRET_KEY,
    }


def pick(rng: random.Random, weighted, default="closed"):
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return default


def case_rows(
    n: int, first_number: int, world: dict, rng: random.Random, *, days: int, now=None
) -> Iterator[tuple[tuple, list[tuple]]]:
    """``n`` generated cases as (case row, its event rows without the case id), oldest
    first; numbered from ``first_number``."""
    now = now or datetime.now(UTC)
    start = now - timedelta(days=days - 1)
    span = (now - start).total_seconds() - 60
    channels = [(c, w / sum(CHANNELS.values())) for c, w in CHANNELS.items()]
    users = world["users"]
    operator, dispatcher = users.get("operator"), users.get("dispatcher")
    from civicgrid.cases.words import title_words

    district = world["district"].pk
    owner_path = world["district"].path
    words = world.setdefault("title_words", {})
    times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n))
    for i, created in enumerate(times):
        grid_id, path, lng, lat = rng.choice(world["grids"])
        status = pick(rng, STAGES)
        direct = status == "closed" and world["entries"] and rng.random() < DIRECT_SHARE
        depth = 1 if direct else DEPTH[status]
        unit = None
        if depth >= 1 and not direct:
            if world["zfj"] and rng.random() < ZFJ_SHARE:
                unit = world["zfj"]
            else:
                unit = rng.choice(world["units"])[0]
        rating = pick(rng, RATINGS) if depth >= DEPTH["rated"] and not direct else ""
        moments = [created]
        for _step in range(depth):
            moments.append(moments[-1] + timedelta(hours=rng.uniform(0.2, 30)))
        open_ = status != "closed"
        due = warn = handle_due = marked = None
        if open_:
            due = now + timedelta(hours=rng.uniform(2, 200))
            if rng.random() < 0.3:
                due = now - timedelta(hours=rng.uniform(1, 72))
                marked = due  # the overdue job has seen it
            warn = due - timedelta(hours=4)
        if unit:
            handle_due = moments[1] + timedelta(days=10)
        title, content, category = rng.choice(world["texts"])
        phone = f"13{rng.randint(0, 199_999):09d}"
        case = (
            f"{PREFIX}{first_number + i:011d}",
            pick(rng, channels),
            rng.choice(("complaint", "help", "inquiry", "complaint", "help")),
            "normal",
            title,
            content,
            "{}",
            "",
            lat + rng.uniform(-0.001, 0.001),
            lng + rng.uniform(-0.001, 0.001),
            "wgs84",
            path,
            False,
            False,
            rng.choice(SURNAMES) + rng.choice(("先生", "女士")),
            phone,
            hashlib.sha256(f"{world['secret']}:{phone}".encode()).hexdigest(),
            status,
            moments[-1],
            due,
            warn,
            handle_due,
            marked,
            0,
            rating,
            "resolved" if status == "closed" else "",
            "已到现场处理完毕，问题已解决。" if depth >= DEPTH["replied"] else "",
            0,
            depth,
            created,
            moments[-1],
            moments[-1] if status == "closed" else None,
            category,
            grid_id,
            district,
            owner_path,
            words.get(title) or words.setdefault(title, title_words(title)),
            unit,
            operator,
            "reached" if rating else "",
            0,
        )
        if direct:
            entry = rng.choice(world["entries"])
            events = [
                (created, "register", "", "registered", "", "{}", True, operator),
                (
                    moments[1],
                    "answer_directly",
                    "registered",
                    "closed",
                    "",
                    json.dumps({"knowledge_entry": entry}),
                    True,
                    operator,
                ),
            ]
            yield case, events
            continue
        handler = world["handlers"].get(unit)
        actors = [operator, dispatcher, handler, handler, dispatcher, operator, operator]
        events = []
        for step in range(depth + 1):
            action, before, after = LOOP[step]
            data = "{}"
            if action == "dispatch":
                data = json.dumps({"department_id": unit})
            elif action == "callback":
                data = json.dumps({"rating": rating})
            events.append((moments[step], action, before, after, "", data, True, actors[step]))
        yield case, events


def generated(prefix: str = PREFIX) -> int:
    """How many generated cases the database holds."""
    from civicgrid.cases.models import Case

    return Case.objects.filter(number__startswith=prefix).count()


def grow(
    to: int,
    world: dict,
    *,
    days: int = 365,
    seed: int = 2026,
    batch: int = BATCH,
    progress: Progress = None,
) -> dict:
    """Add generated cases until the database holds ``to`` of them; what was made, the
    seconds it took and the rate. Each batch commits on its own."""
    from django.db import connection, transaction

    have = generated()
    wanted = to - have
    if wanted <= 0:
        return {"made": 0, "events": 0, "seconds": 0.0, "cases_per_second": 0, "kept": have}
    rng = random.Random(seed + have)
    started = time.perf_counter()
    made = events = 0
    while made < wanted:
        n = min(batch, wanted - made)
        rows = list(case_rows(n, have + made, world, rng, days=days))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                events += _copy(connection, rows)
            else:
                events += _insert(connection, rows)
        made += n
        if progress:
            elapsed = time.perf_counter() - started
            progress(
                f"  {have + made:>11,} cases, {events:,} events ({made / elapsed:,.0f} cases/s)"
            )
    seconds = time.perf_counter() - started
    return {
        "made": made,
        "events": events,
        "seconds": round(seconds, 1),
        "cases_per_second": round(made / seconds) if seconds else 0,
    }


def co_handling(every: int, world: dict) -> int:
    """A co-handling unit for one dispatched generated case in ``every`` (by id) that has
    none yet, another than its main unit; how many were added. For the benchmarks that
    show or export co-handling units; ``grow`` itself adds none."""
    from civicgrid.cases.models import Case

    through = Case.co_departments.through
    units = [pk for pk, _code in world["units"]]
    cases = Case.objects.filter(
        number__startswith=PREFIX, main_department__isnull=False, co_departments=None
    ).values_list("pk", "main_department_id")
    rows = []
    for pk, main in cases.iterator():
        if pk % every == 0:
            unit = units[pk // every % len(units)]
            if unit == main:
                unit = units[(pk // every + 1) % len(units)]
            if unit != main:
                rows.append(through(case_id=pk, department_id=unit))
    through.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _ids(cursor, rows) -> dict[str, int]:
    cursor.execute(
        "SELECT number, id FROM cases_case WHERE number >= %s AND number <= %s",
        [rows[0][0][0], rows[-1][0][0]],
    )
    return dict(cursor.fetchall())


def _copy(connection, rows) -> int:
    """COPY the cases, read their ids back, COPY the events; the events written."""
    connection.ensure_connection()
    written = 0
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY cases_case ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
            for case, _events in rows:
                copy.write_row(case)
        ids = _ids(cursor, rows)
        with cursor.copy(f"COPY cases_caseevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for case, events in rows:
                pk = ids[case[0]]
                for event in events:
                    copy.write_row((*event, pk))
                    written += 1
    return written


def _insert(connection, rows) -> int:
    """The same rows with INSERTs, where COPY is not there (SQLite)."""

    def adapt(row):
        return tuple(
            connection.ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v
            for v in row
        )

    rows = [(adapt(case), [adapt(e) for e in evs]) for case, evs in rows]
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(CASE_COLUMNS))
        cursor.executemany(
            f"INSERT INTO cases_case ({', '.join(CASE_COLUMNS)}) VALUES ({marks})",
            [case for case, _events in rows],
        )
        ids = _ids(cursor, rows)
        marks = ", ".join(["%s"] * len(EVENT_COLUMNS))
        events = [(*event, ids[case[0]]) for case, evs in rows for event in evs]
        cursor.executemany(
            f"INSERT INTO cases_caseevent ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})", events
        )
    return len(events)


def database_size() -> int | None:
    """The database's size in bytes (PostgreSQL), or the SQLite file's."""
    from pathlib import Path

    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    name = connection.settings_dict["NAME"]
    path = Path(str(name))
    return path.stat().st_size if path.exists() else None
