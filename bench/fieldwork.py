"""Field work at city scale: the grid worker's day page, the district's overdue board and
a month's due visits, with 300,000 households and two years of visits.

Not a test. Builds a throw-away database (PostgreSQL of ``--database-url``; SQLite in a
temporary folder without it), loads the demo district's grids and accounts, then writes
``--households`` households spread over every grid (categories in a realistic mix: most
ordinary, some quarterly, a few monthly) and their visits of the last 24 months with
PostgreSQL's COPY (bulk inserts on SQLite): most made within their month, some late,
some never (the overdue backlog)::

    uv run python bench/fieldwork.py --database-url postgres://postgres@127.0.0.1:5432/fw_bench
    uv run python bench/fieldwork.py --households 50000

Measures, end to end through Django's test client: ``GET /field/`` as the demo grid
worker (goal p95 ≤ 100 ms), ``GET /field/board/`` as the district's leader (goal p95 ≤
200 ms), and ``generate_due_visits`` for the next month (goal ≤ 30 s), run twice (the
second adds nothing). Writes ``bench/results/fieldwork-<database>-<date>.json`` and
``bench/results/fieldwork.json`` (the latest run).
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
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from _setup import setup_django  # noqa: E402

GOALS_MS = {"day_page_p95": 100.0, "board_p95": 200.0}
GOAL_GENERATE_S = 30.0
SEED = 14
MIX = [
    ("ordinary", 0.70),
    ("difficulty", 0.05),
    ("disability", 0.04),
    ("temporary", 0.06),
    ("unemployed", 0.03),
    ("assisted", 0.04),
    ("elderly_alone", 0.07),
    ("five_guarantees", 0.01),
]


def load_district() -> None:
    from civicgrid.demo import load

    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_accounts()


def _copy(table: str, columns: list[str], rows) -> None:
    """Rows into ``table``: COPY on PostgreSQL, executemany elsewhere."""
    from django.db import connection

    if connection.vendor == "postgresql":
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    batch: list = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= 10000:
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch
                )
                batch = []
        if batch:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch
            )


def build(households: int) -> dict:
    from django.db import connection, transaction

    from civicgrid.accounts.models import User
    from civicgrid.fieldwork.calendar import month_of, months_between, next_month
    from civicgrid.fieldwork.models import DEFAULT_EVERY_MONTHS, Household, Visit
    from civicgrid.fieldwork.services import EPOCH, refresh_tallies
    from civicgrid.regions.models import Level, Region

    rng = random.Random(SEED)
    grids = list(Region.objects.filter(level=Level.GRID).values_list("pk", flat=True))
    worker = User.objects.get(username="gridworker")
    categories = [c for c, _w in MIX]
    weights = [w for _c, w in MIX]
    from django.utils import timezone

    today = timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
        _copy(
            Household._meta.db_table,
            [
                "id",
                "grid_id",
                "label",
                "category",
                "contact_name",
                "contact_phone",
                "consent_on",
                "consent_by_id",
                "active",
            ],
            (
                (
                    i,
                    rng.choice(grids),
                    f"{i % 30 + 1}-{i % 4 + 1}-{i % 600 + 101}",
                    rng.choices(categories, weights)[0],
                    "",
                    "",
                    today,
                    worker.pk,
                    True,
                )
                for i in range(1, households + 1)
            ),
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [Household._meta.db_table, households],
            )
    households_s = time.perf_counter() - started
    # 24 months of history, by the same rhythm as generate_due_visits.
    this = month_of(today)
    months = []
    month = this
    for _i in range(24):
        month = month_of(month - timedelta(days=1))
        months.append(month)
    rows = list(Household.objects.values_list("id", "grid_id", "category"))
    every = {str(k): v for k, v in DEFAULT_EVERY_MONTHS.items()}

    def visits():
        n = 0
        for month in months:
            index = months_between(EPOCH, month)
            end = next_month(month)
            for pk, grid, category in rows:
                if (pk + index) % every[category]:
                    continue
                n += 1
                roll = rng.random()
                if roll < 0.04:
                    yield (n, pk, grid, month, None, None, "", "", "")  # never made
                    continue
                day = (end if roll < 0.10 else month) + timedelta(days=rng.randint(0, 25))
                yield (n, pk, grid, month, day, worker.pk, "正常", "", "")

    started = time.perf_counter()
    with transaction.atomic():
        _copy(
            Visit._meta.db_table,
            [
                "id",
                "household_id",
                "grid_id",
                "month",
                "visited_on",
                "worker_id",
                "found",
                "follow_up",
                "client_key",
            ],
            visits(),
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM "
                + Visit._meta.db_table
                + "))",
                [Visit._meta.db_table],
            )
            # What autovacuum does on a live database: statistics, and the visibility map
            # that lets the board count from its index alone.
            cursor.execute(f"VACUUM ANALYZE {Household._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {Visit._meta.db_table}")
    visits_s = time.perf_counter() - started
    # The rows were copied past the services: count them into the board's tallies.
    started = time.perf_counter()
    refresh_tallies()
    tallies_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Every table's statistics (the regions' too), as autovacuum keeps them.
            cursor.execute("VACUUM ANALYZE")
    return {
        "grids": len(grids),
        "households": households,
        "visits": Visit.objects.count(),
        "households_load_seconds": round(households_s, 1),
        "visits_load_seconds": round(visits_s, 1),
        "tallies_seconds": round(tallies_s, 1),
    }


def time_get(client, url: str, warmup: int, requests: int) -> dict:
    for _i in range(warmup):
        assert client.get(url).status_code == 200
    times = []
    for _i in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    return {
        "requests": requests,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "max_ms": round(times[-1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="reuse the data an earlier run left in --database-url; only measure",
    )
    args = parser.parse_args()
    setup_django(args.database_url, "fieldwork")
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from civicgrid.accounts.models import User
    from civicgrid.fieldwork.calendar import month_of, next_month
    from civicgrid.fieldwork.models import Visit
    from civicgrid.fieldwork.services import due_visits, generate_due_visits, refresh_tallies

    setup_test_environment()
    started = time.perf_counter()
    if args.measure_only:
        from civicgrid.fieldwork.models import Household, VisitTally
        from civicgrid.regions.models import Level, Region

        setup_s = 0.0
        data = {
            "grids": Region.objects.filter(level=Level.GRID).count(),
            "households": Household.objects.count(),
            "visits": Visit.objects.count(),
            "reused": True,
        }
        if not VisitTally.objects.exists():
            refresh_tallies()
    else:
        load_district()
        setup_s = time.perf_counter() - started
        data = build(args.households)
    print(f"data: {data} (district set up in {setup_s:.0f} s)")  # noqa: T201

    from django.utils import timezone

    this = month_of(timezone.localdate())
    started = time.perf_counter()
    created_now = generate_due_visits(this)
    this_s = time.perf_counter() - started
    following = next_month(this)
    started = time.perf_counter()
    created = generate_due_visits(following)
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    again = generate_due_visits(following)
    again_s = time.perf_counter() - started
    print(  # noqa: T201
        f"due visits: this month {created_now} in {this_s:.1f} s; next month {created} in "
        f"{generate_s:.1f} s; again {again} in {again_s:.1f} s (goal ≤ {GOAL_GENERATE_S:.0f} s)"
    )
    Visit.objects.filter(month=following).delete()
    refresh_tallies(following)

    worker = User.objects.get(username="gridworker")
    leader = User.objects.get(username="leader")
    worker_client, leader_client = Client(), Client()
    worker_client.force_login(worker)
    leader_client.force_login(leader)
    # How busy the machine is: a bare round trip to the database, timed like the pages.
    trips = []
    for _i in range(args.requests):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        trips.append((time.perf_counter() - started) * 1000)
    trips.sort()
    round_trip = {
        "p50_ms": round(statistics.median(trips), 2),
        "p95_ms": round(trips[int(len(trips) * 0.95) - 1], 2),
    }
    print(f"database round trip (SELECT 1): {round_trip}")  # noqa: T201
    day = time_get(worker_client, "/field/", 5, args.requests)
    day["visits_listed"] = due_visits(worker).count()
    board = time_get(leader_client, "/field/board/", 3, args.requests)
    print(f"day page: {day} (goal p95 ≤ {GOALS_MS['day_page_p95']:.0f} ms)")  # noqa: T201
    print(f"district board: {board} (goal p95 ≤ {GOALS_MS['board_p95']:.0f} ms)")  # noqa: T201
    result = {
        "benchmark": "fieldwork",
        "database": connection.vendor,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "data": data,
        "district_setup_seconds": round(setup_s, 1),
        "generate_month": {
            "this_month_created": created_now,
            "this_month_seconds": round(this_s, 1),
            "next_month_created": created,
            "seconds": round(generate_s, 1),
            "again_created": again,
            "again_seconds": round(again_s, 1),
            "goal_seconds": GOAL_GENERATE_S,
        },
        "round_trip": round_trip,
        "day_page": {**day, "goal_p95_ms": GOALS_MS["day_page_p95"]},
        "district_board": {**board, "goal_p95_ms": GOALS_MS["board_p95"]},
    }
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    dated = HERE / "results" / f"fieldwork-{connection.vendor}-{datetime.now(UTC):%Y%m%d}.json"
    dated.write_text(text)
    (HERE / "results" / "fieldwork.json").write_text(text)
    print(f"written: {dated}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
