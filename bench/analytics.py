"""The leaders' one screen and the reports over millions of cases, on PostgreSQL.

Not a test. ::

    createdb -h 127.0.0.1 -U postgres analyticsbench
    uv run python bench/analytics.py \\
        --database-url postgres://postgres@127.0.0.1:5432/analyticsbench --cases 1000000

The database is the demo district (``load_demo``) plus ``--cases`` cases spread over the
last ``--days`` days (today included), the district's grids, the leaf categories, the
units and the channels, each with the events of the steps it went through (register,
dispatch, acknowledge, reply, verify, callback, close: most closed, some open, a few
overdue), written with ``COPY`` in batches (printed: rows per second, seconds). The
issue's target is ``--cases 10000000``; the generator streams, so memory stays flat.
The database is kept: a later run with as many cases reuses it (``--fresh`` empties the
generated cases first).

Then the assessment's rollup of the current month is rebuilt (``rebuild_month``, timed:
the issue's goal is ≤ 60 s for one month), ``ANALYZE`` runs, and each page is requested in
this process through Django's test client, signed in as the demo leader: the one screen
(today, week, month) at the district and at each drill-down level (street, community,
grid), its htmx refresh, the figures API, and each report (day, week, month) as a page,
an Excel workbook and a PDF. Printed: p50 and p95 per page against the 200 ms goal.

Last, the figures are checked against straight SQL counts on ``cases_case``: the cases
received in the month in the district, the open and overdue ones now, and each street's
received count; any difference is printed and fails the run (exit status 1).
Results go to ``bench/results/analytics-postgresql-<date>.json``.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

GOAL_MS = 200.0
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
    "due_at",
    "warn_at",
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
    "main_department_id",
    "callback_result",
    "callback_tries",
]
EVENT_COLUMNS = ["at", "action", "from_status", "to_status", "note", "data", "public", "case_id"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365, help="the cases span these days")
    parser.add_argument("--database-url", required=True, help="PostgreSQL")
    parser.add_argument("--fresh", action="store_true", help="drop the generated cases first")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--skip-rollup", action="store_true", help="keep the stored rollup")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--label", default="", help="added to the result's file name")
    parser.add_argument(
        "--no-duckdb", action="store_true", help="skip the DuckDB comparison (dev dependency)"
    )
    parser.add_argument("--export-dir", default="/tmp/civicgrid-analytics-export")
    return parser.parse_args(argv)


def setup_django(args) -> None:
    if not args.database_url.startswith("postgres"):
        sys.exit("bench/analytics.py runs on PostgreSQL: give --database-url postgres://…")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()


# --- generating the cases ----------------------------------------------------------------


def spread(world, args):
    """What the cases are spread over, read once."""
    from civicgrid.demo.load import DISTRICT_CODE
    from civicgrid.regions.models import Level, Region
    from civicgrid.routing.models import Category, Department, DepartmentKind

    district = Region.objects.get(code=DISTRICT_CODE)
    grids = list(
        Region.objects.filter(level=Level.GRID, path__startswith=district.path)
        .defer("boundary")
        .values_list("pk", "path", "centroid_lng", "centroid_lat")
    )
    parents = set(Category.objects.exclude(parent=None).values_list("parent_id", flat=True))
    leaves = [c.pk for c in Category.objects.filter(active=True) if c.pk not in parents]
    units = list(
        Department.objects.exclude(kind=DepartmentKind.CENTRE).values_list("pk", flat=True)
    )
    world.update(district=district, grids=grids, leaves=leaves, units=units)
    return world


def pick(rng, weighted):
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return "closed"


def case_rows(n: int, first_number: int, args, world, rng):
    """``n`` generated cases as (case row, its events), oldest first."""
    now = datetime.now(UTC)
    start = now - timedelta(days=args.days - 1)
    span = (now - start).total_seconds() - 60
    channels = [(c, w / sum(CHANNELS.values())) for c, w in CHANNELS.items()]
    times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n))
    for i, created in enumerate(times):
        grid_id, path, lng, lat = rng.choice(world["grids"])
        status = pick(rng, STAGES)
        depth = DEPTH[status]
        unit = rng.choice(world["units"]) if depth >= 1 else None
        rating = pick(rng, RATINGS) if depth >= DEPTH["rated"] else ""
        moments = [created]
        for _step in range(depth):
            moments.append(moments[-1] + timedelta(hours=rng.uniform(0.2, 30)))
        due = created + timedelta(days=5)
        if status != "closed" and rng.random() < 0.3:
            due = now - timedelta(hours=rng.uniform(1, 72))  # overdue
        open_ = status != "closed"
        number = f"B{first_number + i:011d}"
        case = (
            number,
            pick(rng, channels),
            "complaint",
            "normal",
            "路灯不亮",
            "小区门口的路灯坏了三天，晚上很黑。",
            "{}",
            "",
            lat,
            lng,
            "",
            path,
            False,
            False,
            "",
            "",
            "",
            status,
            due if open_ and depth >= 1 else None,
            due - timedelta(days=1) if open_ and depth >= 1 else None,
            0,
            rating,
            "resolved" if status == "closed" else "",
            "",
            0,
            depth,
            created,
            moments[-1],
            moments[-1] if status == "closed" else None,
            rng.choice(world["leaves"]),
            grid_id,
            unit,
            "reached" if rating else "",
            0,
        )
        events = []
        for step in range(depth + 1):
            action, before, after = LOOP[step]
            data = "{}"
            if action == "dispatch":
                data = json.dumps({"department_id": unit})
            elif action == "callback":
                data = json.dumps({"rating": rating})
            events.append((moments[step], action, before, after, "", data, True))
        yield case, events


def generate(args, world) -> dict:
    """Write ``--cases`` cases and their events with COPY; rows per second and seconds."""
    from django.db import connection

    from civicgrid.cases.models import Case

    have = Case.objects.filter(number__startswith="B").count()
    wanted = args.cases - have
    if wanted <= 0:
        return {"made": 0, "kept": have}
    rng = random.Random(args.seed + have)
    started = time.perf_counter()
    made = events_made = 0
    raw = connection.connection if connection.connection else None
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    while made < wanted:
        n = min(BATCH, wanted - made)
        batch = list(case_rows(n, have + made, args, world, rng))
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY cases_case ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
                for case, _events in batch:
                    copy.write_row(case)
            cursor.execute(
                "SELECT id, number FROM cases_case WHERE number >= %s AND number <= %s",
                [batch[0][0][0], batch[-1][0][0]],
            )
            ids = dict((number, pk) for pk, number in cursor.fetchall())
            with cursor.copy(
                f"COPY cases_caseevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
            ) as copy:
                for case, events in batch:
                    pk = ids[case[0]]
                    for event in events:
                        copy.write_row((*event, pk))
                        events_made += 1
        raw.commit()
        made += n
        elapsed = time.perf_counter() - started
        print(  # noqa: T201
            f"  {have + made:>11,} cases, {events_made:,} events ({made / elapsed:,.0f} cases/s)",
            flush=True,
        )
    seconds = time.perf_counter() - started
    return {
        "made": made,
        "events": events_made,
        "seconds": round(seconds, 1),
        "cases_per_second": round(made / seconds),
    }


def prepare(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from civicgrid.demo.load import load_demo
    from civicgrid.regions.models import Region

    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        load_demo(progress=True)
    if args.fresh:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM cases_caseevent WHERE case_id IN "
                "(SELECT id FROM cases_case WHERE number LIKE 'B%%')"
            )
            cursor.execute("DELETE FROM cases_case WHERE number LIKE 'B%%'")
    world = spread({}, args)
    made = generate(args, world)
    # What autovacuum does soon after a bulk load: statistics, and the visibility map
    # that lets the screen's counts read the covering indexes alone (index-only scans).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE cases_caseevent")
    return {"generation": made, "world": world}


def rollup(args) -> dict:
    """Rebuild the current month's rollup cells from the events (timed)."""
    from django.db import connection
    from django.utils import timezone

    from civicgrid.assessment.rollup import rebuild_month

    if args.skip_rollup:
        return {"skipped": True}
    from tqdm import tqdm

    from civicgrid.assessment.models import AreaFigure, DailyFigure

    today = timezone.localdate()
    started = time.perf_counter()
    with tqdm(unit="cases", desc=f"rebuilding {today:%Y-%m}", mininterval=2) as bar:

        def total(n):
            bar.total = n

        cases = rebuild_month(today.year, today.month, progress=bar.update, total=total)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE assessment_dailyfigure")
        cursor.execute("ANALYZE assessment_areafigure")
    cells = {
        "daily_figures": DailyFigure.objects.filter(day__gte=today.replace(day=1)).count(),
        "area_figures": AreaFigure.objects.filter(day__gte=today.replace(day=1)).count(),
    }
    print(f"rollup of {today:%Y-%m}: {cases:,} cases in {seconds:.1f} s, {cells}", flush=True)  # noqa: T201
    return {"month": f"{today:%Y-%m}", "cases": cases, "seconds": round(seconds, 1), **cells}


# --- timing the pages --------------------------------------------------------------------


def pages(world) -> list[tuple[str, str]]:
    from civicgrid.regions.models import Region

    district = world["district"]
    street = Region.objects.filter(parent=district).order_by("code").first()
    community = Region.objects.filter(parent=street).order_by("code").first()
    grid = Region.objects.filter(parent=community).order_by("code").first()
    return [
        ("screen today (district)", "/map/screen/"),
        ("screen week (district)", "/map/screen/?period=week"),
        ("screen month (district)", "/map/screen/?period=month"),
        ("screen month (street)", f"/map/screen/?period=month&region={street.code}"),
        ("screen month (community)", f"/map/screen/?period=month&region={community.code}"),
        ("screen month (grid)", f"/map/screen/?period=month&region={grid.code}"),
        ("wall refresh (htmx)", "/map/screen/?wall=1&htmx=1"),
        ("api figures month", "/api/analytics/figures?period=month"),
        ("report day", "/map/reports/?period=day"),
        ("report week", "/map/reports/?period=week"),
        ("report month", "/map/reports/?period=month"),
        ("report month xlsx", "/map/reports/report.xlsx?period=month"),
        ("report month pdf", "/map/reports/report.pdf?period=month"),
    ]


def time_pages(args, world) -> list[dict]:
    from django.test import Client

    from civicgrid.accounts.models import ApiToken, User

    leader = User.objects.get(username="leader")
    client = Client()
    client.force_login(leader)
    _token, raw = ApiToken.issue(leader, "bench")
    results = []
    for name, url in pages(world):
        headers = {}
        if url.startswith("/api/"):
            headers["Authorization"] = f"Bearer {raw}"
        if "htmx=1" in url:
            headers["HX-Request"] = "true"
        timings = []
        for i in range(args.warmup + args.requests):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if i >= args.warmup:
                timings.append(elapsed)
        timings.sort()
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        row = {
            "page": name,
            "url": url,
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(p95, 1),
            "bytes": len(response.content),
            "over_goal": p95 > GOAL_MS,
        }
        results.append(row)
        mark = "  OVER" if row["over_goal"] else ""
        print(f"{name:<28} p50 {row['p50_ms']:>7.1f} ms  p95 {row['p95_ms']:>7.1f} ms{mark}")  # noqa: T201
    return results


# --- the same figures by straight SQL ------------------------------------------------------


def check(world) -> dict:
    """The screen's figures for the month against plain SQL counts; differences listed."""
    from django.db import connection
    from django.utils import timezone

    from civicgrid.analytics import figures, periods
    from civicgrid.regions.models import Region

    district = world["district"]
    period = periods.of("month")
    after, before = period.bounds()
    now = timezone.now()
    key = figures.key_figures(district, period, now)
    rows = {r.region.code: r for r in figures.drill_down(district, period, now)}
    sql = {}
    closed = ["closed", "merged"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_case c LEFT JOIN regions_region o "
            "ON o.id = c.owner_region_id WHERE c.created_at >= %s AND c.created_at < %s "
            "AND (c.region_path LIKE %s OR (c.region_path = '' AND o.path LIKE %s))",
            [after, before, district.path + "%", district.path + "%"],
        )
        sql["received"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE c.due_at < %s) FROM cases_case c "
            "LEFT JOIN regions_region o ON o.id = c.owner_region_id WHERE c.status <> ALL(%s) "
            "AND (c.region_path LIKE %s OR (c.region_path = '' AND o.path LIKE %s))",
            [now, closed, district.path + "%", district.path + "%"],
        )
        sql["open"], sql["overdue"] = cursor.fetchone()
        # A case without a place counts where its owner centre is (the case list's rule).
        cursor.execute(
            "SELECT left(COALESCE(NULLIF(c.region_path, ''), o.path), %s), count(*) "
            "FROM cases_case c LEFT JOIN regions_region o ON o.id = c.owner_region_id "
            "WHERE c.created_at >= %s AND c.created_at < %s "
            "AND COALESCE(NULLIF(c.region_path, ''), o.path) LIKE %s GROUP BY 1",
            [
                len(next(iter(Region.objects.filter(parent=district))).path),
                after,
                before,
                district.path + "%",
            ],
        )
        by_street = dict(cursor.fetchall())
    codes = {r.region.path: code for code, r in rows.items()}
    screen = {
        "received": key.received,
        "open": key.open.value,
        "overdue": key.overdue.value,
    }
    differences = [f"{k}: screen {screen[k]} ≠ SQL {sql[k]}" for k in sql if screen[k] != sql[k]]
    for path, n in by_street.items():
        code = codes.get(path)
        if code is None or rows[code].received != n:
            differences.append(
                f"street {path}: screen {rows[code].received if code else '-'} ≠ SQL {n}"
            )
    return {"screen": screen, "sql": sql, "streets": len(by_street), "differences": differences}


# --- DuckDB over a Parquet export against the PostgreSQL rollup -------------------------

# The month's aggregates both ways: per street and channel (received), per unit (the
# counts of the loop's steps). DuckDB reads the Parquet export of cases and events; the
# rollup side is the ``AreaFigure`` cells the screen and the reports read.
MONTH_SQL_ROLLUP = {
    "received per street and channel": (
        "SELECT left(region_path, %(street_len)s) AS street, channel, sum(received) "
        "FROM assessment_areafigure WHERE day >= %(first)s AND day < %(after)s "
        "AND region_path LIKE %(path)s GROUP BY 1, 2 HAVING sum(received) > 0"
    ),
    "steps per unit": (
        "SELECT department_id, sum(dispatched), sum(acknowledged), sum(replied), "
        "sum(callbacks), sum(satisfied) + sum(basically), sum(closed) "
        "FROM assessment_areafigure WHERE day >= %(first)s AND day < %(after)s "
        "AND region_path LIKE %(path)s AND department_id IS NOT NULL GROUP BY 1"
    ),
}
MONTH_SQL_DUCKDB = {
    "received per street and channel": (
        "SELECT left(c.region_path, $street_len) AS street, c.channel, count(*) "
        "FROM events e JOIN cases c ON c.id = e.case_id "
        "WHERE e.action = 'register' AND e.at >= $since::TIMESTAMPTZ "
        "AND e.at < $until::TIMESTAMPTZ "
        "AND c.region_path LIKE $path GROUP BY 1, 2"
    ),
    "steps per unit": (
        "SELECT c.main_department_id, "
        "count(*) FILTER (WHERE e.action = 'dispatch'), "
        "count(*) FILTER (WHERE e.action = 'acknowledge'), "
        "count(*) FILTER (WHERE e.action = 'reply'), "
        "count(*) FILTER (WHERE e.action = 'callback'), "
        "count(*) FILTER (WHERE e.action = 'callback' "
        "AND json_extract_string(e.data, '$.rating') IN ('satisfied', 'basically')), "
        "count(*) FILTER (WHERE e.action = 'close') "
        "FROM events e JOIN cases c ON c.id = e.case_id "
        "WHERE e.at >= $since::TIMESTAMPTZ AND e.at < $until::TIMESTAMPTZ "
        "AND c.region_path LIKE $path "
        "AND c.main_department_id IS NOT NULL GROUP BY 1"
    ),
}


def _timed(fn, repeat: int) -> tuple[list[float], object]:
    timings, result = [], None
    for _i in range(repeat):
        started = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return timings, result


def duckdb_comparison(args, world) -> dict:
    """Export cases and events to Parquet (timed), then time the month's aggregates in
    DuckDB and on the rollup in PostgreSQL; both must give the same numbers."""
    try:
        import duckdb
    except ImportError:
        return {"skipped": "duckdb is not installed (uv sync --group dev)"}
    from django.db import connection
    from django.utils import timezone

    from civicgrid.regions.models import Region

    district = world["district"]
    street = Region.objects.filter(parent=district).order_by("code").first()
    today = timezone.localdate()
    first = today.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    since = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    until = datetime.combine(after, datetime.min.time(), tzinfo=tz)
    folder = Path(args.export_dir)
    folder.mkdir(parents=True, exist_ok=True)
    exported = {}
    started = time.perf_counter()
    raw = connection.connection
    stamps = {"cases": "created_at", "events": "at"}
    for name, sql in (
        (
            "cases",
            "SELECT id, channel, region_path, category_id, main_department_id, status, "
            "rating, created_at FROM cases_case",
        ),
        ("events", "SELECT id, case_id, at, action, data::text AS data FROM cases_caseevent"),
    ):
        csv_path = folder / f"{name}.csv"
        copy_out = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)"
        with raw.cursor() as cursor, csv_path.open("wb") as out, cursor.copy(copy_out) as copy:
            for chunk in copy:
                out.write(chunk)
        duckdb.sql(
            f"COPY (SELECT * FROM read_csv('{csv_path}', header=true, "
            f"types={{'{stamps[name]}': 'TIMESTAMPTZ'}})) "
            f"TO '{folder / name}.parquet' (FORMAT parquet)"
        )
        csv_path.unlink()
        exported[name] = round(time.perf_counter() - started, 1)
    export_seconds = round(time.perf_counter() - started, 1)
    print(f"Parquet export: {exported} s", flush=True)  # noqa: T201
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    db.execute(f"CREATE VIEW cases AS SELECT * FROM '{folder / 'cases'}.parquet'")
    db.execute(f"CREATE VIEW events AS SELECT * FROM '{folder / 'events'}.parquet'")
    params_pg = {
        "street_len": len(street.path),
        "first": first,
        "after": after,
        "path": district.path + "%",
    }
    params_duck = {
        "street_len": len(street.path),
        "since": since.isoformat(),
        "until": until.isoformat(),
        "path": district.path + "%",
    }
    rows = []
    for name in MONTH_SQL_ROLLUP:

        def on_postgres(sql=MONTH_SQL_ROLLUP[name]):
            with connection.cursor() as cursor:
                cursor.execute(sql, params_pg)
                return cursor.fetchall()

        def on_duckdb(sql=MONTH_SQL_DUCKDB[name]):
            used = {k: v for k, v in params_duck.items() if f"${k}" in sql}
            return db.execute(sql, used).fetchall()

        pg_times, pg_rows = _timed(on_postgres, args.requests)
        duck_times, duck_rows = _timed(on_duckdb, args.requests)
        same = sorted(map(tuple, pg_rows)) == sorted(map(tuple, duck_rows))
        row = {
            "aggregate": name,
            "postgres_rollup_p50_ms": round(statistics.median(pg_times), 1),
            "duckdb_parquet_p50_ms": round(statistics.median(duck_times), 1),
            "rows": len(pg_rows),
            "same_figures": same,
        }
        rows.append(row)
        print(  # noqa: T201
            f"{name:<34} PostgreSQL rollup p50 {row['postgres_rollup_p50_ms']:>7.1f} ms  "
            f"DuckDB/Parquet p50 {row['duckdb_parquet_p50_ms']:>7.1f} ms  same: {same}",
            flush=True,
        )
    return {
        "duckdb": duckdb.__version__,
        "export_seconds": export_seconds,
        "export_steps": exported,
        "parquet_mb": round(sum(p.stat().st_size for p in folder.glob("*.parquet")) / 1e6, 1),
        "aggregates": rows,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args)
    from django.db import connection

    print(f"generating up to {args.cases:,} cases over {args.days} days…", flush=True)  # noqa: T201
    prepared = prepare(args)
    world = prepared["world"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'cases_caseevent'")
        events = cursor.fetchone()[0]
    print(f"database: {cases:,} cases, ~{events:,} events", flush=True)  # noqa: T201
    rolled = rollup(args)
    timings = time_pages(args, world)
    checked = check(world)
    compared = {"skipped": "--no-duckdb"} if args.no_duckdb else duckdb_comparison(args, world)
    print(f"figures vs SQL: {checked['screen']} / {checked['sql']}")  # noqa: T201
    for line in checked["differences"]:
        print("DIFFERENCE", line)  # noqa: T201
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "cases": cases,
        "events": events,
        "generation": prepared["generation"],
        "rollup": rolled,
        "goal_ms": GOAL_MS,
        "pages": timings,
        "check": checked,
        "duckdb": compared,
    }
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    label = f"-{args.label}" if args.label else ""
    path = out / f"analytics-postgresql-{datetime.now(UTC):%Y%m%d}{label}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"written: {path}")  # noqa: T201
    return 1 if checked["differences"] else 0


if __name__ == "__main__":
    sys.exit(main())
