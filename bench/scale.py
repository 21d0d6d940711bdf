"""Pages, lists and periodic jobs as the cases grow: 10k → 100k → 1M (→ 3M → 10M).

Not a test. ::

    psql postgres://postgres@127.0.0.1:5432/postgres -c 'create database civicgrid_scale'
    uv run python bench/scale.py \\
        --database-url postgres://postgres@127.0.0.1:5432/civicgrid_scale --label before
    # the issue's sizes: --sizes 10000,100000,1000000,3000000,10000000

ONE database grows through ``--sizes`` generated cases (``bench/_grow.py``: real citizen
messages over the demo district's grids, about six events each, written with ``COPY``);
the demo district, its accounts and knowledge come from ``load_demo`` on the first run.
At each size, in order:

1. growth: the cases still missing (timed, rows per second), then ``VACUUM ANALYZE`` of
   the two tables (what autovacuum does soon after a bulk load), the database size
   (``pg_database_size``), and the triage model's stored suggestions for the cases
   awaiting triage (as the triage worker does within seconds of intake);
2. the periodic jobs, each timed once (the overdue scan ``--requests`` times):
   ``refresh-hot-issues`` (90 days) as the nightly full run, then after 1,000 new cases
   (copies of earlier ones filed in the last hour, ``bench/jobs.py``; PostgreSQL only),
   the overdue scan (``mark_overdue``), and the
   assessment ``rollup`` of the newest 1,000 cases' events (the watermark is set just
   before them: the generated history itself is not folded into the assessment figures);
3. every page and API list, requested in this process through Django's test client
   signed in as the demo account that uses it (public pages anonymous): ``--warmup``
   requests, then ``--requests`` timed ones. The time is the server's own, from the
   ``Server-Timing`` header (``core.timing``, turned on here); p50 and p95.

The table at the end has one row per page or job and one column per size, then the
growth verdict ("flat" when p95 at the largest size ≤ 1.5× the smallest, "grows"
otherwise) and the goal of issue #11 (staff ≤ 150 ms, public ≤ 50 ms, the overdue scan
≤ 50 ms, the other jobs ≤ 5 s): "met" or "NOT met" at the largest size. The JSON goes to
``bench/results/scale-<db>-<date>[-label].json``, rewritten after each size, so a run
stopped early keeps what it measured. A later run reuses the database and only grows it
(a size already passed is measured as it is now); ``--grow-only`` grows it and times
nothing (to time a large size later, or on other code).

``--merge A.json B.json …`` makes one table of several runs, e.g. the 10k and 100k columns
of a small fresh database and the 3M column of the big one, timed with the same code: each
size's column comes from the last file that timed pages at that size, its growth figures
from the last file that grew to it; the growth verdicts and goals are computed anew. It
writes ``scale-<db>-<date>-<label>.json`` (default label "merged") and prints the table.
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
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import _grow  # noqa: E402

STAFF_MS = 150.0
PUBLIC_MS = 50.0
OVERDUE_MS = 50.0
JOB_MS = 5000.0
FLAT = 1.5
NEW_CASES = 1000  # the rollup folds the events of the newest this many cases
TRACK_TOKEN = "scalebench-tracking-token"
# Where a page's preferred account is refused, the next that may see it.
FALLBACK_ROLES = (
    "leader",
    "dispatcher",
    "operator",
    "mediator",
    "official",
    "commander",
    "inspector",
    "assessor",
    "admin",
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL (or sqlite:///…)")
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="generated cases, comma-separated"
    )
    parser.add_argument("--days", type=int, default=365, help="the cases span these days")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--only", default="", help="pages and jobs whose name contains one of these (a,b)"
    )
    parser.add_argument(
        "--skip", default="", help="not the pages and jobs whose name contains one of these (a,b)"
    )
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument("--grow-only", action="store_true", help="grow, time nothing")
    parser.add_argument("--label", default="", help="added to the result file's name")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument(
        "--table", metavar="JSON", help="only print the table of an earlier run's result"
    )
    parser.add_argument(
        "--merge", nargs="+", metavar="JSON", help="one table from earlier runs' results"
    )
    args = parser.parse_args(argv)
    if not (args.database_url or args.table or args.merge):
        parser.error("--database-url is required (unless --table or --merge)")
    return args


def sizes_of(text: str) -> list[int]:
    sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    if not sizes or sizes[0] <= NEW_CASES:
        raise SystemExit(f"--sizes: give sizes above {NEW_CASES}, e.g. 10000,100000")
    return sizes


def setup_django(args) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CIVICGRID_SERVER_TIMING"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()


def say(line: str) -> None:
    print(line, flush=True)  # noqa: T201


# --- growing -------------------------------------------------------------------------------


def prepare() -> dict:
    from django.core.management import call_command

    from civicgrid.demo.load import load_demo
    from civicgrid.regions.models import Region

    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        say("loading the demo district…")
        load_demo(progress=False)
    return _grow.spread()


def grow(size: int, world: dict, args) -> dict:
    from django.db import connection

    from civicgrid.cases.models import Case

    say(f"growing to {size:,} generated cases…")
    made = _grow.grow(size, world, days=args.days, seed=args.seed, progress=say)
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_case")
            cursor.execute("VACUUM ANALYZE cases_caseevent")
    made["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    made["triaged"] = _triaged()
    made["triage_seconds"] = round(time.perf_counter() - started, 1)
    _tracking()
    made["cases"] = Case.objects.count()
    made["database_bytes"] = _grow.database_size()
    gb = (made["database_bytes"] or 0) / 2**30
    say(
        f"  made {made['made']:,} in {made['seconds']} s; vacuum analyze "
        f"{made['vacuum_analyze_seconds']} s; {made['triaged']} triage suggestions in "
        f"{made['triage_seconds']} s; {made['cases']:,} cases, {gb:.2f} GB"
    )
    return made


def _triaged() -> int:
    import pages as page_bench  # bench/pages.py: the same suggestions it stores

    return page_bench.triaged()


def _tracking() -> None:
    """A citizen's tracking link to the newest generated handling case."""
    from civicgrid.cases.models import Case
    from civicgrid.citizens.models import Tracking, token_hash

    if Tracking.objects.filter(token_hash=token_hash(TRACK_TOKEN)).exists():
        return
    case = Case.objects.filter(status="handling").order_by("-id").first()
    if case:
        Tracking.objects.create(case=case, token_hash=token_hash(TRACK_TOKEN))


def wanted(args, name: str) -> bool:
    """Whether ``--only`` and ``--skip`` leave this page or job in."""
    only = [part.strip() for part in args.only.split(",") if part.strip()]
    skipped = [part.strip() for part in args.skip.split(",") if part.strip()]
    return (not only or any(part in name for part in only)) and not any(
        part in name for part in skipped
    )


# --- the periodic jobs -----------------------------------------------------------------------


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def jobs(args, results: list[dict], saved=lambda: None) -> list[dict]:
    from django.db import connection

    from civicgrid.assessment.models import RollupState
    from civicgrid.assessment.rollup import roll_up
    from civicgrid.cases.services import mark_overdue
    from civicgrid.duplicates.hotissues import WINDOW_DAYS
    from civicgrid.duplicates.services import refresh

    def row(name, timings, outcome, goal):
        timings = sorted(timings)
        r = {
            "page": name,
            "kind": "job",
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(_p95(timings), 1),
            "runs": len(timings),
            "outcome": outcome,
            "goal_ms": goal,
        }
        results.append(r)
        saved()
        say(f"  {name:40} p50 {r['p50_ms']:>10.1f} ms  p95 {r['p95_ms']:>10.1f} ms  {outcome}")

    # Hot issues: the nightly full run, then a run after 1,000 new cases (goal 3). A run
    # right after the bulk growth would time the attaching of every grown case instead.
    full, new = "job: refresh-hot-issues (full)", "job: refresh-hot-issues (1,000 new cases)"
    if wanted(args, full) or wanted(args, new):
        ms, done = _timed(lambda: refresh(days=WINDOW_DAYS, full=True))
        if wanted(args, full):
            row(full, [ms], _hot(done), JOB_MS)
    if wanted(args, new) and connection.vendor == "postgresql":
        import jobs as job_bench  # bench/jobs.py: copies of earlier cases, filed in the last hour

        job_bench.add_new_cases(NEW_CASES)
        ms, done = _timed(lambda: refresh(days=WINDOW_DAYS))
        row(new, [ms], _hot(done), JOB_MS)

    if wanted(args, "job: overdue scan"):
        timings, marked = [], []
        for _ in range(max(3, args.requests // 4)):
            ms, n = _timed(mark_overdue)
            timings.append(ms)
            marked.append(n)
        row("job: overdue scan", timings, f"marked {marked[0]} then {marked[-1]}", OVERDUE_MS)

    if not wanted(args, "job: rollup (1,000 new cases)"):
        return results
    # The rollup's watermark just before the newest cases' events: one run folds them.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(e.id), count(*) FROM cases_caseevent e WHERE e.case_id IN "
            "(SELECT id FROM cases_case WHERE number LIKE %s ORDER BY number DESC LIMIT %s)",
            [_grow.PREFIX + "%", NEW_CASES],
        )
        first, _count = cursor.fetchone()
    RollupState.objects.update_or_create(pk=1, defaults={"last_event_id": (first or 1) - 1})
    ms, read = _timed(roll_up)
    row("job: rollup (1,000 new cases)", [ms], f"{read} events folded in", JOB_MS)
    return results


def _hot(done) -> str:
    from django.db.models import Count, Sum

    figures = done.issues.order_by().aggregate(issues=Count("id"), reports=Sum("reports"))
    return (
        f"{figures['issues']} issues, {figures['reports'] or 0} reports; "
        f"{done.new_cases} new cases, "
        f"{done.attached} joined, {done.held_reports} held, {done.capped_reports} capped"
    )


# --- the pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    roles: tuple  # the demo accounts to try, in order; () = anonymous
    url: str
    headers: tuple = ()

    @property
    def public(self) -> bool:
        return not self.roles


def pages() -> list[Page]:
    from civicgrid.cases.models import Case
    from civicgrid.duplicates.models import HotIssue
    from civicgrid.regions.models import Level, Region

    street = Region.objects.filter(level=Level.STREET, code__startswith="370502").first()
    newest = Case.objects.order_by("-id").values_list("number", flat=True).first()
    by_age = Case.objects.order_by("-created_at", "-id").values_list("number", flat=True)
    deep = by_age[99 * 25 - 1 : 99 * 25].first()
    hot = HotIssue.objects.order_by("-heat").values_list("key", flat=True).first()
    staff = [
        Page("case list", ("leader",), "/cases/"),
        Page("case list: text search", ("leader",), "/cases/?text=小区"),
        Page(
            "case list: status + street",
            ("leader",),
            f"/cases/?status=handling&region={street.code}",
        ),
        # Page 100 (cases 2,476–2,500), reached as a reader does: "older" from page 99.
        Page("case list: page 100", ("leader",), f"/cases/?older_than={deep}"),
        Page("case list: grid worker", ("gridworker",), "/cases/"),
        Page("case detail (newest)", ("dispatcher",), f"/cases/{newest}/"),
        Page("api: cases", ("admin",), "/api/cases?limit=50"),
        Page("api: cases open + text", ("leader",), "/api/cases?limit=50&status_group=open&q=小区"),
        Page("api: cases, grid worker", ("gridworker",), "/api/cases?limit=50"),
        Page("admin: case changelist", ("admin",), "/admin/cases/case/"),
        Page("admin: case search", ("admin",), "/admin/cases/case/?q=小区"),
        Page("triage queue", ("dispatcher",), "/triage/"),
        Page("handler inbox", ("handler",), "/inbox/"),
        Page("grid worker tasks", ("gridworker",), "/tasks/"),
        Page("grid worker home", ("gridworker",), "/grid/"),
        Page("callbacks", ("operator",), "/callbacks/"),
        Page("intake form", ("operator",), "/intake/"),
        Page("map: grids.geojson", ("leader",), "/map/grids.geojson"),
        Page("map: cases.geojson (points)", ("leader",), "/map/cases.geojson"),
        Page("city map page", ("leader",), "/map/"),
        Page("one screen", ("leader",), "/map/screen/"),
        Page("one screen, month", ("leader",), "/map/screen/?period=month"),
        Page("report, month", ("leader",), "/map/reports/?period=month"),
        Page("early warnings", ("leader",), "/map/warnings/"),
        Page("api: analytics figures", ("leader",), "/api/analytics/figures?period=month"),
        Page("hot issues", ("dispatcher",), "/hot-issues/"),
        Page("knowledge search", ("operator",), "/knowledge/?q=供暖"),
        Page("knowledge stats", ("leader",), "/knowledge/stats/"),
        Page("api: knowledge search", ("operator",), "/api/knowledge/search?q=供暖"),
        Page("notifications", ("dispatcher",), "/notifications/"),
        Page("mediation: disputes", ("mediator",), "/mediation/"),
        Page("mediation: risk board", ("mediator", "official"), "/mediation/risk/"),
        Page("petitions", ("dispatcher", "operator"), "/petitions/"),
        Page("fieldwork: day", ("gridworker",), "/field/"),
        Page("fieldwork: board", ("leader", "dispatcher"), "/field/board/"),
        Page("fieldwork: tasks", ("gridworker",), "/field/tasks/"),
        Page("emergency: incidents", ("commander",), "/emergency/"),
        Page("supervision: orders", ("inspector",), "/supervision/"),
        Page("assessment: ranking", ("assessor",), "/assessment/"),
    ]
    if hot:
        staff.append(Page("hot issue (hottest)", ("dispatcher",), f"/hot-issues/{hot}/"))
    public = [
        Page("public: results", (), "/results/"),
        Page("public: results, page 50", (), "/results/?page=50"),
        Page("public: unit lists", (), "/results/units/"),
        Page("public: report form", (), "/report/"),
        Page("public: report grids.geojson", (), "/report/grids.geojson"),
        Page("public: tracking", (), f"/track/{TRACK_TOKEN}/"),
        Page("public: open311 services", (), "/open311/v2/services.json"),
        Page("public: open311 requests", (), "/open311/v2/requests.json"),
    ]
    return staff + _api_lists(staff) + public


# The API lists discovered from the OpenAPI schema, and who uses each.
API_ROLES = {
    "/api/mediation/": ("mediator",),
    "/api/petitions": ("dispatcher", "operator"),
    "/api/emergency/": ("commander",),
    "/api/fieldwork/": ("gridworker", "leader"),
    "/api/supervision/": ("inspector", "leader"),
    "/api/assessment/": ("assessor",),
    "/api/centres/": ("dispatcher",),
    "/api/diversion/": ("dispatcher",),
    "/api/duplicates/": ("dispatcher",),
}
API_SKIP = (
    "/api/regions/locate",
    "/api/regions/places",
    "/api/duplicates/candidates",
    "/api/diversion/110/handed-back",  # the 110 centre's integration account only
)
# Lists that need a query.
API_QUERY = {"/api/assessment/indicators": "period", "/api/assessment/scores": "month"}


def _api_lists(known: list[Page]) -> list[Page]:
    """Every GET of the API without a path parameter that the list above does not time."""
    from django.utils import timezone

    from civicgrid.api import api

    timed = {p.url.split("?")[0] for p in known}
    today = timezone.localdate()
    queries = {
        "month": f"?month={today:%Y-%m}",
        "period": f"?start={today.replace(day=1):%Y-%m-%d}&end={today:%Y-%m-%d}",
    }
    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "get" not in operations or "{" in path or path in timed or path in API_SKIP:
            continue
        roles = next((r for prefix, r in API_ROLES.items() if path.startswith(prefix)), ())
        url = path + queries.get(API_QUERY.get(path, ""), "")
        found.append(Page(f"api: {path.removeprefix('/api/')}", (*roles, "operator"), url))
    return found


TIMING = re.compile(r"total;dur=([\d.]+), cpu;dur=([\d.]+), db;dur=([\d.]+);desc=\"(\d+) queries\"")


def _p95(sorted_values: list[float]) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(0.95 * (len(sorted_values) - 1)))]


def time_page(client, page: Page, args) -> dict:
    totals, cpus, dbs, queries = [], [], [], []
    response = None
    for i in range(args.warmup + args.requests):
        started = time.perf_counter()
        response = client.get(page.url, headers=dict(page.headers))
        wall = (time.perf_counter() - started) * 1000
        match = TIMING.search(response.get("Server-Timing", ""))
        if i < args.warmup:
            continue
        if match:
            totals.append(float(match[1]))
            cpus.append(float(match[2]))
            dbs.append(float(match[3]))
            queries.append(int(match[4]))
        else:  # a streamed answer: the wall time in this process
            totals.append(wall)
    totals.sort()
    return {
        "url": page.url,
        "kind": "public" if page.public else "staff",
        "status": response.status_code,
        "p50_ms": round(statistics.median(totals), 1),
        "p95_ms": round(_p95(totals), 1),
        "cpu_p50_ms": round(statistics.median(cpus), 1) if cpus else None,
        "db_p50_ms": round(statistics.median(dbs), 1) if dbs else None,
        "queries": max(queries) if queries else None,
        "bytes": len(response.content) if not response.streaming else None,
        "goal_ms": PUBLIC_MS if page.public else STAFF_MS,
    }


def time_pages(args, chosen: dict[str, str], results: list[dict], saved=lambda: None):
    """Each page as its account; ``chosen`` keeps the account found at the first size."""
    from django.test import Client

    from civicgrid.accounts.models import User

    clients: dict[str, Client] = {}

    def client_of(role: str) -> Client:
        if role not in clients:
            clients[role] = Client()
            if role:
                clients[role].force_login(User.objects.get(username=role))
        return clients[role]

    for page in pages():
        if not wanted(args, page.name):
            continue
        role = chosen.get(page.name)
        if role is None:
            role = ""
            tried = dict.fromkeys((*page.roles, *FALLBACK_ROLES) if page.roles else ("",))
            for candidate in tried:
                if client_of(candidate).get(page.url).status_code == 200:
                    role = candidate
                    break
            else:
                role = page.roles[0] if page.roles else ""
            chosen[page.name] = role
        r = {
            "page": page.name,
            "role": role or "anonymous",
            **time_page(client_of(role), page, args),
        }
        results.append(r)
        saved()
        flag = "" if r["status"] == 200 else f"  (HTTP {r['status']})"
        say(
            f"  {page.name[:40]:40} p50 {r['p50_ms']:>10.1f} ms  p95 {r['p95_ms']:>10.1f} ms"
            f"  q {r['queries'] or '':>4}  {role or 'anonymous'}{flag}"
        )
    return results


# --- the table -------------------------------------------------------------------------------


def goal_of(kind: str, name: str) -> float:
    """Issue #11's goal for a page or job, in ms."""
    if kind == "job":
        return OVERDUE_MS if "overdue" in name else JOB_MS
    return PUBLIC_MS if kind == "public" else STAFF_MS


def verdicts(steps: list[dict]) -> list[dict]:
    """One row per page or job: p95 at each size, the growth verdict and the goal."""
    names: dict[str, dict] = {}
    for step in sorted(steps, key=lambda s: s["size"]):
        for r in step["rows"]:
            if _refused(r):
                continue
            row = names.setdefault(
                r["page"],
                {
                    "page": r["page"],
                    "kind": r["kind"],
                    "goal_ms": goal_of(r["kind"], r["page"]),
                    "p95": {},
                },
            )
            row["p95"][str(step["size"])] = r["p95_ms"]
    for row in names.values():
        values = list(row["p95"].values())
        first, last = values[0], values[-1]
        row["judged_at"] = int(list(row["p95"])[-1])  # the largest size it was timed at
        row["goal_met"] = last <= row["goal_ms"]
        if len(values) < 2:  # measured at one size only: no growth to judge
            row["growth"], row["verdict"] = None, "-"
            continue
        row["growth"] = round(last / first, 2) if first else None
        row["verdict"] = "flat" if last <= FLAT * max(first, 1.0) else "grows"
    return list(names.values())


def print_table(steps: list[dict], rows: list[dict]) -> None:
    sizes = [str(s["size"]) for s in steps]
    head = "".join(f"{_short(int(s)):>10}" for s in sizes)
    say(f"\np95 ms by generated cases\n{'page / job':40}{head}  growth verdict  goal")
    for row in rows:
        cells = "".join(f"{row['p95'].get(s, float('nan')):>10.1f}" for s in sizes)
        goal = f"≤{row['goal_ms']:.0f} " + ("met" if row["goal_met"] else "NOT met")
        if row.get("judged_at", int(sizes[-1])) != int(sizes[-1]):
            goal += f" (at {_short(row['judged_at'])})"
        growth = f"{row['growth']:.1f}×" if row["growth"] is not None else "-"
        say(f"{row['page'][:40]:40}{cells}  {growth:>6} {row['verdict']:>7}  {goal}")

    def line(label: str, cell) -> None:
        say(f"{label:40}" + "".join(f"{cell(s.get('growth') or {}, s):>10}" for s in steps))

    line("database size", lambda g, s: f"{(g.get('database_bytes') or 0) / 2**30:.2f}G")
    line("growth step (COPY)", lambda g, s: f"{g.get('seconds', 0):.0f}s")
    line("load average before", lambda g, s: _load(s.get("load_average_before")))
    for s in steps:
        if s.get("source"):
            grown = (s.get("growth") or {}).get("source")
            also = f", grown in {grown}" if grown and grown != s["source"] else ""
            partial = " (partial: stopped before all rows)" if s.get("partial") else ""
            say(f"  {_short(s['size'])} from {s['source']}{also}{partial}")
    refused = sorted(
        {f"{r['page']} (HTTP {r['status']})" for s in steps for r in s["rows"] if _refused(r)}
    )
    if refused:
        say(f"not timed (refused or wrong): {', '.join(refused)}")
    grows = sum(r["verdict"] == "grows" for r in rows)
    missed = sum(not r["goal_met"] for r in rows)
    say(f"\n{grows} of {len(rows)} rows grow; {missed} miss their goal at the largest size")


def merge(reports: list[tuple[str, dict]]) -> dict:
    """One report from several ``(file name, report)``: each size's row of a page from the
    last report that timed that page at that size (a later run of a few pages replaces
    just those), its growth from the last that grew to it."""
    timed: dict[int, dict] = {}
    grown: dict[int, dict] = {}
    for name, report in reports:
        for step in report["steps"]:
            if step["rows"]:
                earlier = timed.get(step["size"], {}).get("rows", [])
                again = {row["page"] for row in step["rows"]}
                rows = [row for row in earlier if row["page"] not in again]
                rows += [{**row, "source": name} for row in step["rows"]]
                timed[step["size"]] = {
                    **step,
                    "rows": rows,
                    "source": name,
                    "requests": step.get("requests", report.get("requests")),
                }
            if (step.get("growth") or {}).get("made"):
                grown[step["size"]] = {**step["growth"], "source": name}
    steps = []
    for size in sorted(timed):
        step = timed[size]
        if size in grown and not (step.get("growth") or {}).get("made"):
            now = (step.get("growth") or {}).get("database_bytes")
            step["growth"] = {
                **grown[size],
                "database_bytes": now or grown[size].get("database_bytes"),
            }
        steps.append(step)
    return {
        "database": reports[-1][1].get("database"),
        "merged_from": [name for name, _report in reports],
        "started": min(r.get("started", "") for _n, r in reports),
        "goals_ms": {"staff": STAFF_MS, "public": PUBLIC_MS, "overdue": OVERDUE_MS, "jobs": JOB_MS},
        "flat_if_at_most": FLAT,
        "steps": steps,
        "table": verdicts(steps),
    }


def _refused(r: dict) -> bool:
    """A page that answered other than 200 measured nothing worth a verdict."""
    return r.get("status", 200) != 200


def _load(average) -> str:
    return f"{average[0]:.1f}" if average else "-"


def _short(n: int) -> str:
    for unit, size in (("M", 1_000_000), ("k", 1000)):
        if n >= size:
            return f"{n / size:g}{unit}"
    return str(n)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.table:
        report = json.loads(Path(args.table).read_text())
        print_table(report["steps"], verdicts(report["steps"]))
        return 0
    if args.merge:
        report = merge([(Path(f).name, json.loads(Path(f).read_text())) for f in args.merge])
        path = Path(args.out) / (
            f"scale-{report['database']}-{datetime.now(UTC):%Y%m%d}-{args.label or 'merged'}.json"
        )
        path.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n")
        print_table(report["steps"], report["table"])
        say(f"→ {path}")
        return 0
    sizes = sizes_of(args.sizes)
    setup_django(args)
    from django.db import connection

    world = prepare()
    vendor = connection.vendor
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    label = f"-{args.label}" if args.label else ""
    path = out / f"scale-{vendor}-{datetime.now(UTC):%Y%m%d}{label}.json"
    report: dict = {
        "database": vendor,
        "database_url": re.sub(r"//[^@/]*@", "//", args.database_url),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "requests": args.requests,
        "warmup": args.warmup,
        "days": args.days,
        "goals_ms": {"staff": STAFF_MS, "public": PUBLIC_MS, "overdue": OVERDUE_MS, "jobs": JOB_MS},
        "flat_if_at_most": FLAT,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "steps": [],
    }
    chosen: dict[str, str] = {}

    def save() -> None:
        report["table"] = verdicts(report["steps"])
        path.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n")

    for size in sizes:
        # Saved after every row, marked partial until the size is done: a run stopped at
        # a deadline keeps what it measured.
        step: dict = {"size": size, "partial": True, "rows": []}
        step["growth"] = grow(size, world, args)
        step["load_average_before"] = os.getloadavg()
        report["steps"].append(step)
        if not (args.skip_jobs or args.grow_only):
            jobs(args, step["rows"], save)
        if not args.grow_only:
            time_pages(args, chosen, step["rows"], save)
        step["load_average_after"] = os.getloadavg()
        step["partial"] = False
        save()
        say(f"  → {path}")
    print_table(report["steps"], report["table"])
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n")
    say(f"→ {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
