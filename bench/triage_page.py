"""How fast is the dispatcher's triage page, and the dispatch form it loads on demand?

Not a test. Runs in a throw-away SQLite database (or ``--database-url``)::

    uv run python bench/triage_page.py                 # 10,000 cases
    uv run python bench/triage_page.py --cases 100000 --requests 30

The demo district (948 grids, its 31 units, the 500 categories, the routing rules and
accounts) and ``--cases`` cases: real citizen messages (``demo/data/messages_sample.csv``)
registered through intake, then copied in bulk over the district's grids and the last
90 days; ``--waiting`` of them (default 5 %) wait for triage, each with the triage
model's stored suggestions (as when the worker runs), the rest are closed. Signed in as
the demo dispatcher (the whole district), through Django's test client (so the times
are the server's own, without a network): the triage page (50 cards), the page again
as htmx asks for it after a filter change, and the dispatch form of a card loaded on
demand (a different case each time). For each: median and p95 over ``--requests``
requests after two warm-ups, the bytes and the queries of one request. Goal (issue #10):
≤ 300 ms each. Writes ``bench/results/triage-page-<db>-<date>.json``.
"""

import argparse
import csv
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

MESSAGES = ROOT / "civicgrid" / "demo" / "data" / "messages_sample.csv"
SEEDS = 60
GOAL_MS = 300


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases in the database")
    parser.add_argument("--waiting", type=float, default=0.05, help="share awaiting triage")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--database-url", default="", help="PostgreSQL (default: SQLite)")
    parser.add_argument("--out", default=str(HERE / "results"), help="folder for the JSON")
    return parser.parse_args(argv)


def load_district() -> None:
    from civicgrid.demo import load

    for step in (
        load.load_calendar,
        lambda: load.load_geography(progress=False),
        load.load_departments,
        load.load_categories,
        load.load_routing_rules,
        load.load_auto_dispatch,
        load.load_time_limits,
        load.load_accounts,
    ):
        step()


def seed_cases(total: int, waiting_share: float) -> None:
    """``SEEDS`` cases through intake, then copies of them up to ``total``."""
    from django.utils import timezone

    from civicgrid.accounts.models import User
    from civicgrid.cases.models import Case, Status
    from civicgrid.cases.services import Intake, register_case
    from civicgrid.regions.models import Level, Region
    from civicgrid.routing.models import Department
    from civicgrid.triage import auto
    from civicgrid.triage.models import CaseTriage, Outcome

    rng = random.Random(10)
    operator = User.objects.get(username="operator")
    grids = list(Region.objects.filter(level=Level.GRID, code__startswith="370502"))
    with open(MESSAGES, encoding="utf-8") as f:
        messages = [r for r in csv.DictReader(f) if r["title"]][:SEEDS]
    seeds = []
    for row in messages:
        grid = rng.choice(grids)
        intake = Intake(
            channel="hotline",
            title=row["title"][:60],
            content=row["detail"] or row["title"],
            lng=grid.centroid_lng,
            lat=grid.centroid_lat,
            reporter_name="王建国",
            reporter_phone=f"139{rng.randrange(10**8):08d}",
        )
        seeds.append(register_case(intake, actor=operator))
    guesses = auto.fresh_suggestions(seeds)
    CaseTriage.objects.bulk_create(
        CaseTriage(case=c, suggestions=guesses[c.pk], confidence=0.6, outcome=Outcome.SUGGESTED)
        for c in seeds
    )
    fields = [
        f.attname
        for f in Case._meta.concrete_fields
        if f.attname not in ("id", "number", "created_at", "updated_at")
    ]
    rows = {c.pk: {name: getattr(c, name) for name in fields} for c in seeds}
    unit = Department.objects.get(code="HBJ")
    now = timezone.now()
    waiting = int(total * waiting_share)
    made = len(seeds)
    while made < total:
        batch = []
        for i in range(made, min(total, made + 2000)):
            seed = seeds[i % len(seeds)]
            case = Case(**rows[seed.pk], number=f"B{i:09d}")
            case.created_at = case.updated_at = now - timedelta(minutes=rng.randrange(90 * 1440))
            if i >= waiting:
                case.status, case.main_department_id = Status.CLOSED, unit.pk
                case.warn_at = case.due_at = None
            batch.append(case)
        copies = Case.objects.bulk_create(batch)
        CaseTriage.objects.bulk_create(
            CaseTriage(
                case_id=case.pk,
                suggestions=guesses[seeds[int(case.number[1:]) % len(seeds)].pk],
                confidence=0.6,
                outcome=Outcome.SUGGESTED,
            )
            for case in copies
            if case.status == Status.REGISTERED
        )
        made += len(batch)


def measure(client, paths, requests: int, **headers) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path in paths[:2]:
        assert client.get(path, **headers).status_code == 200
    samples, cpu = [], []
    size = 0
    for i in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(paths[i % len(paths)], **headers)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
        size = max(size, len(response.content))
    with CaptureQueriesContext(connection) as queries:
        client.get(paths[0], **headers)
    samples.sort()
    cpu.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
        "max_ms": round(samples[-1], 1),
        # The process's own CPU time (SQLite runs in it): what the request costs when the
        # machine is not shared; wall time above includes waiting for a core.
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(cpu[max(0, int(len(cpu) * 0.95) - 1)], 1),
        "bytes": size,
        "queries": len(queries),
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    setup_django(args.database_url, "triage-page")
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from civicgrid.accounts.models import User
    from civicgrid.cases import queries

    started = time.perf_counter()
    load_district()
    seed_cases(args.cases, args.waiting)
    setup_s = time.perf_counter() - started
    dispatcher = User.objects.get(username="dispatcher")
    client = Client()
    client.force_login(dispatcher)
    first_page = list(queries.triage_queue(dispatcher).values_list("number", flat=True)[:50])
    try:
        form_paths = [reverse("triage:case_forms", args=[n]) + "?next=/triage/" for n in first_page]
    except NoReverseMatch:  # before the forms came on demand: each card carried them
        form_paths = []
    queue = reverse("triage:queue")
    result = {
        "benchmark": "triage-page",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "db": connection.vendor,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "load_average": os.getloadavg(),
        "cases": args.cases,
        "waiting": queries.triage_queue(dispatcher).count(),
        "setup_s": round(setup_s, 1),
        "goal_ms": GOAL_MS,
        "triage page (50 cards)": measure(client, [queue], args.requests),
        "triage page, htmx filter": measure(
            client, [queue + "?light="], args.requests, HTTP_HX_REQUEST="true"
        ),
    }
    if form_paths:
        result["dispatch form on demand"] = measure(
            client, form_paths, args.requests, HTTP_HX_REQUEST="true"
        )
    for key, value in result.items():
        print(f"{key:32} {value}")  # noqa: T201
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        for path, headers in ((queue, {}), (form_paths[3], {"HTTP_HX_REQUEST": "true"})):
            profile = cProfile.Profile()
            profile.runcall(client.get, path, **headers)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"triage-page-{connection.vendor}-{datetime.now(UTC):%Y%m%d}.json"
    (out / name).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
