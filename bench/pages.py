"""Page timings: every main page with 50 rows, over a database of 100,000 cases.

Not a test. ::

    uv run python bench/pages.py                       # SQLite, kept in the data folder
    uv run python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/pagebench

The database is the demo district (``load_demo``) plus ``--cases`` generated cases
(``bench/_grow.py``, as ``bench/scale.py`` grows them: ``COPY`` on PostgreSQL) spread over
the last two years, the district's grids, the leaf categories, the units and the
channels: most closed, some thousands open (a few hundred awaiting triage, some overdue),
each with the events of the steps it went through; one dispatched case in
``CO_HANDLING`` with a co-handling unit, and one case with a long timeline. It is made
once and kept: the next run only adds the generated cases missing (``--fresh`` makes it
anew).

Each page is requested in this process through Django's test client, signed in as the
role that uses it: ``--warmup`` requests, then ``--requests`` timed ones. The time is
the server's own, read from the ``Server-Timing`` header (``core.timing``, turned on
here): the whole request inside Django, the CPU time of its thread, its database share
and query count. Printed: median and p95 of the total, median CPU and database time,
queries, bytes and rows (JSON lists). A page whose p95 is over the goal (300 ms) is
marked, "cpu too" when its CPU time alone is: on a machine busy with other work the
total grows with the wait for a processor, the CPU time hardly. Results go to
``bench/results/pages-<db>-<date>[-label].json``.
"""

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import _grow  # noqa: E402

GOAL_MS = 300.0
TRACK_TOKEN = "pagebench-tracking-token"
LONG_TIMELINE = 300  # events on the one case with a long history
DAYS = 730
CO_HANDLING = 20  # one dispatched case in this many has a co-handling unit


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="default: SQLite in the data folder")
    parser.add_argument("--fresh", action="store_true", help="make the database anew")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", default="", help="pages whose name contains this")
    parser.add_argument("--label", default="", help="added to the result file's name")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(HERE / "results"))
    return parser.parse_args(argv)


def setup_django(args) -> str:
    data_dir = Path(os.environ.get("CIVICGRID_DATA_DIR", "civicgrid-data")).resolve()
    url = args.database_url or f"sqlite:///{data_dir / 'pagebench.sqlite3'}"
    if args.fresh and url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ["CIVICGRID_SERVER_TIMING"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    return url


# --- the database ------------------------------------------------------------------------


def prepare(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from civicgrid.demo.load import load_demo
    from civicgrid.regions.models import Region

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if args.fresh and not args.database_url.startswith("sqlite") and args.database_url:
        call_command("flush", interactive=False, verbosity=0)
    if not Region.objects.exists():
        load_demo(progress=True)
    world = _grow.spread()
    made = _grow.grow(args.cases, world, days=DAYS, seed=args.seed, progress=print)["made"]
    if made:
        _grow.co_handling(CO_HANDLING, world)
    _long_timeline()
    seen = triaged()
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: without the table's statistics the
        # planner took 93,000 closed cases for 200 (public results: 400 ms, then 1 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"seconds": round(time.perf_counter() - started, 1), "made": made, "triaged": seen}


def triaged() -> int:
    """Store the model's suggestions for the cases awaiting triage, as the triage worker
    does within seconds of intake in production (``civicgrid triage-worker``), without
    dispatching any: the queue then reads stored suggestions instead of classifying its
    50 cards on every view (what it falls back to when no worker runs)."""
    from civicgrid.cases.models import Case, Status
    from civicgrid.triage import auto, services
    from civicgrid.triage.models import CaseTriage, Outcome

    cases = list(Case.objects.filter(status=Status.REGISTERED, triage__isnull=True).order_by("id"))
    version = services.active_version()
    rows = []
    for case, found in auto.fresh_suggestions(cases).items():
        best = found[0] if found else None
        rows.append(
            CaseTriage(
                case_id=case,
                model_version=version,
                suggestions=found,
                category_id=best["category"] if best else None,
                confidence=best["p"] if best else 0.0,
                outcome=Outcome.SUGGESTED,
            )
        )
    CaseTriage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _long_timeline() -> None:
    """The case with many events (urged and noted for months), once: the oldest generated
    case the demo handler's unit handles, which a citizen also tracks."""
    from civicgrid.accounts.models import User
    from civicgrid.cases.models import Case, CaseEvent
    from civicgrid.citizens.models import Tracking, token_hash

    if Tracking.objects.filter(token_hash=token_hash(TRACK_TOKEN)).exists():
        return
    case = (
        Case.objects.filter(
            number__startswith=_grow.PREFIX, status="handling", main_department__code="ZFJ"
        )
        .order_by("pk")
        .first()
    )
    dispatcher = User.objects.get(username="dispatcher")
    handler = User.objects.get(username="handler")
    events = [
        CaseEvent(
            case=case,
            at=case.created_at + timedelta(minutes=10 * i),
            actor=dispatcher if i % 2 else handler,
            action="urge" if i % 3 == 0 else "add_note",
            from_status="handling",
            to_status="handling",
            note="请尽快处理，市民多次来电反映。" * (1 + i % 3),
            public=i % 2 == 0,
        )
        for i in range(LONG_TIMELINE)
    ]
    CaseEvent.objects.bulk_create(events)
    Tracking.objects.create(case=case, token_hash=token_hash(TRACK_TOKEN))


# --- the pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # the demo account that signs in ("" = anonymous)
    url: str
    headers: tuple = ()


def pages() -> list[Page]:
    from django.db.models import Count

    from civicgrid.cases.models import Case
    from civicgrid.duplicates.models import HotIssue
    from civicgrid.regions.models import Level, Region

    long_case = Case.objects.annotate(n=Count("events")).order_by("-n").first()
    street = Region.objects.filter(level=Level.STREET, code__startswith="370502").first()
    hot = HotIssue.objects.annotate(n=Count("cases")).order_by("-n").first()
    number = long_case.number
    return [
        Page("triage queue", "dispatcher", "/triage/"),
        Page("intake form", "operator", "/intake/"),
        Page("case list", "leader", "/cases/"),
        Page("case list: text search", "leader", "/cases/?text=小区"),
        Page(
            "case list: status + region", "leader", f"/cases/?status=handling&region={street.code}"
        ),
        Page("case list: page 100", "leader", "/cases/?page=100"),
        Page(f"case detail ({long_case.n} events)", "dispatcher", f"/cases/{number}/"),
        Page("handler inbox", "handler", "/inbox/"),
        Page("grid worker tasks", "gridworker", "/tasks/"),
        Page("grid worker home", "gridworker", "/grid/"),
        Page("case list (grid worker)", "gridworker", "/cases/"),
        Page("case list: title search (grid worker)", "gridworker", "/cases/?text=噪音"),
        Page("case list: two-character word", "leader", "/cases/?text=物业"),
        Page("callbacks", "operator", "/callbacks/"),
        Page("map: grids.geojson", "leader", "/map/grids.geojson"),
        Page("map: cases.geojson", "leader", "/map/cases.geojson"),
        Page("city map page", "leader", "/map/"),
        Page("hot issues", "dispatcher", "/hot-issues/"),
        Page(f"hot issue ({hot.cases.count()} cases)", "dispatcher", f"/hot-issues/{hot.key}/"),
        Page("knowledge search", "operator", "/knowledge/?q=供暖"),
        Page("citizen tracking", "", f"/track/{TRACK_TOKEN}/"),
        Page("public results", "", "/results/"),
        Page("admin: cases", "admin", "/admin/cases/case/"),
        Page("admin: cases, search", "admin", "/admin/cases/case/?q=小区"),
        Page("api: cases", "admin", "/api/cases?limit=50"),
        Page("api: cases (grid worker)", "gridworker", "/api/cases?limit=50"),
        Page("api: cases, offset 5000", "leader", "/api/cases?limit=50&offset=5000"),
        Page("api: cases, open, text", "leader", "/api/cases?limit=50&status_group=open&q=小区"),
        Page("api: case", "dispatcher", f"/api/cases/{number}"),
        Page("api: hot issues", "dispatcher", "/api/duplicates/hot-issues"),
        Page("api: regions (grids)", "operator", "/api/regions?level=grid"),
        Page("api: categories", "operator", "/api/categories"),
        Page("api: knowledge search", "operator", "/api/knowledge/search?q=供暖"),
    ]


TIMING = re.compile(r"total;dur=([\d.]+), cpu;dur=([\d.]+), db;dur=([\d.]+);desc=\"(\d+) queries\"")
ROW = re.compile(rb"<tr\b|\"type\":\s*\"Feature\"|class=\"card\b|<li class=\"row\b")


def time_page(client, page: Page, warmup: int, requests: int) -> dict:
    totals, cpus, dbs, queries = [], [], [], []
    response = None
    for i in range(warmup + requests):
        response = client.get(page.url, headers=dict(page.headers))
        match = TIMING.search(response.get("Server-Timing", ""))
        if match is None:
            raise SystemExit(f"{page.name}: no Server-Timing header ({response.status_code})")
        if i >= warmup:
            totals.append(float(match[1]))
            cpus.append(float(match[2]))
            dbs.append(float(match[3]))
            queries.append(int(match[4]))
    totals.sort()
    body = response.content
    return {
        "url": page.url,
        "role": page.role or "anonymous",
        "status": response.status_code,
        "p50_ms": round(statistics.median(totals), 1),
        "p95_ms": round(totals[min(len(totals) - 1, round(0.95 * (len(totals) - 1)))], 1),
        "cpu_p50_ms": round(statistics.median(cpus), 1),
        "db_p50_ms": round(statistics.median(dbs), 1),
        "queries": max(queries),
        "bytes": len(body),
        "rows": _rows(body, response.get("Content-Type", "")),
    }


def _rows(body: bytes, content_type: str) -> int | None:
    if "json" in content_type:
        data = json.loads(body)
        if isinstance(data, dict):
            data = data.get("items") or data.get("features") or data.get("timeline") or []
        return len(data) if isinstance(data, list) else None
    return None


def run(args) -> list[dict]:
    from django.test import Client

    from civicgrid.accounts.models import User

    results = []
    clients: dict[str, Client] = {}
    for page in pages():
        if args.only and args.only not in page.name:
            continue
        if page.role not in clients:
            clients[page.role] = Client()
            if page.role:
                clients[page.role].force_login(User.objects.get(username=page.role))
        result = {
            "page": page.name,
            **time_page(clients[page.role], page, args.warmup, args.requests),
        }
        results.append(result)
        _print_row(result)
    return results


def _over(r: dict) -> bool:
    return r["p95_ms"] > GOAL_MS


def _over_cpu(r: dict) -> bool:
    return r["cpu_p50_ms"] > GOAL_MS


def _print_row(r: dict) -> None:
    over = "  OVER" if _over(r) else ""
    over += " (cpu too)" if _over_cpu(r) else ""
    rows = "" if r["rows"] is None else r["rows"]
    print(  # noqa: T201
        f"{r['page'][:34]:34} {r['status']:>4} {r['p50_ms']:>8} {r['p95_ms']:>8} "
        f"{r['cpu_p50_ms']:>8} {r['db_p50_ms']:>8} {r['queries']:>5} {r['bytes'] / 1024:>8.1f} "
        f"{rows!s:>5}{over}",
        flush=True,
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    url = setup_django(args)
    from django.db import connection

    from civicgrid.cases.models import Case, CaseEvent

    built = prepare(args)
    cases, events = Case.objects.count(), CaseEvent.objects.count()
    vendor = connection.vendor
    print(  # noqa: T201
        f"\n{vendor}: {cases:,} cases, {events:,} events; {args.requests} requests per page "
        f"after {args.warmup}; load average {os.getloadavg()[0]:.1f}\n"
        f"{'page':34} {'code':>4} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8} {'db ms':>8} {'q':>5} "
        f"{'kB':>8} "
        f"{'rows':>5}"
    )
    results = run(args)
    over = [r["page"] for r in results if _over(r)]
    over_cpu = [r["page"] for r in results if _over_cpu(r)]
    print(f"\np95 over {GOAL_MS:.0f} ms: {', '.join(over) or 'none'}")  # noqa: T201
    print(f"CPU p50 over {GOAL_MS:.0f} ms: {', '.join(over_cpu) or 'none'}")  # noqa: T201
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    label = f"-{args.label}" if args.label else ""
    path = out / f"pages-{vendor}-{datetime.now(UTC):%Y%m%d}{label}.json"
    report = {
        "database": vendor,
        "database_url": re.sub(r"//[^@/]*@", "//", url),
        "cases": cases,
        "events": events,
        "requests": args.requests,
        "warmup": args.warmup,
        "goal_ms": GOAL_MS,
        "over_goal": over,
        "over_goal_cpu": over_cpu,
        "prepared": built,
        "load_average": os.getloadavg(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "pages": results,
    }
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"→ {path}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
