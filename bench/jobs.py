"""The periodic jobs and the map at scale: hot issues, the overdue scan, map clusters.

Not a test. On PostgreSQL, in a database of its own filled by ``bench/duplicates.py``
(``INSERT … SELECT generate_series``: cases over the demo district's 948 grids and two
years)::

    uv run python bench/duplicates.py --speed-only --reuse --db civicgrid_jobs_bench \\
        --cases 1000000 --queries 20                       # fill once
    uv run python bench/jobs.py --db civicgrid_jobs_bench --open 200000
    uv run python bench/jobs.py --parts hot --days 30        # one part alone

Then, in one run (so the figures compare on a machine as busy as it is):

- **map**: ``--open`` cases are made open with a deadline (some overdue); the cluster
  endpoint ``/map/cases.geojson?bbox=…&zoom=…`` is timed as the demo leader for the whole
  district and for a street-sized and a block-sized box, beside the old query (the newest
  2,000 open points) it replaces. Every open case is counted; the old one showed 2,000.
- **overdue scan**: ``mark_overdue``'s query over the open cases, most of them marked
  overdue long ago and ``--pending`` not yet, through the partial index, beside the old
  query (all overdue open cases, the marked ones filtered row by row); then a whole
  ``mark_overdue`` run marking the pending ones; and the supervision rule's scan.
- **hot issues**: a full refresh (``--days`` window), then ``--new`` new cases (copies of
  random earlier ones, filed within the last hour) and an incremental refresh, twice.

Prints the figures and writes ``bench/results/jobs-postgresql-<date>.json``.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PG = "postgres://postgres@127.0.0.1:5432"
GOALS = {"hot_issues_incremental_s": 5.0, "overdue_scan_ms": 50.0}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="civicgrid_jobs_bench", help="a filled database")
    parser.add_argument("--server", default=PG)
    parser.add_argument("--open", type=int, default=200_000, help="open cases for the map")
    parser.add_argument("--pending", type=int, default=50, help="overdue cases not yet marked")
    parser.add_argument("--new", type=int, default=1000, help="new cases between refreshes")
    parser.add_argument("--days", type=int, default=90, help="the hot-issue window")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per figure")
    parser.add_argument(
        "--parts", default="map,overdue,hot", help="which of map, overdue, hot to run"
    )
    parser.add_argument(
        "--skip-full", action="store_true", help="hot issues: keep the last run's issues"
    )
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--label", default="", help="added to the JSON file's name")
    return parser.parse_args(argv)


def setup(args) -> None:
    os.environ["DATABASE_URL"] = f"{args.server}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def sql(statement: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement, params or [])
        return cur.rowcount


def scalar(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement, params or [])
        return cur.fetchone()[0]


def timed(fn, repeat: int) -> dict:
    fn()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
    }


# --- the data ---------------------------------------------------------------------------


def prepare_open_cases(target: int, pending: int) -> dict:
    """``target`` open cases with deadlines; those past due marked long ago, ``pending`` not."""
    start = time.perf_counter()
    open_now = scalar("SELECT count(*) FROM cases_case WHERE status NOT IN ('closed','merged')")
    if open_now < target:
        total = scalar("SELECT count(*) FROM cases_case")
        step = max(1, total // (target - open_now))
        sql(
            "UPDATE cases_case SET status = 'handling', closed_at = NULL "
            "WHERE status IN ('closed','merged') AND id %% %s = 0",
            [step],
        )
    # Deadlines: due 5 days after filing; cases due in the past were marked long ago.
    sql(
        "UPDATE cases_case SET due_at = created_at + interval '5 days', "
        "warn_at = created_at + interval '4 days' "
        "WHERE status NOT IN ('closed','merged') AND due_at IS NULL"
    )
    sql(
        "UPDATE cases_case SET overdue_marked_for = due_at "
        "WHERE status NOT IN ('closed','merged') AND due_at < now() "
        "AND overdue_marked_for IS DISTINCT FROM due_at"
    )
    # A few fell due just now and are not marked yet.
    sql(
        "UPDATE cases_case SET due_at = now() - interval '1 minute', overdue_marked_for = NULL "
        "WHERE id IN (SELECT id FROM cases_case WHERE status NOT IN ('closed','merged') "
        "ORDER BY id DESC LIMIT %s)",
        [pending],
    )
    # A bulk UPDATE leaves dead index entries a live system would have vacuumed away.
    sql("VACUUM ANALYZE cases_case")
    figures = {
        "cases": scalar("SELECT count(*) FROM cases_case"),
        "open": scalar("SELECT count(*) FROM cases_case WHERE status NOT IN ('closed','merged')"),
        "open_overdue": scalar(
            "SELECT count(*) FROM cases_case WHERE status NOT IN ('closed','merged') "
            "AND due_at < now()"
        ),
        "prepare_seconds": round(time.perf_counter() - start, 1),
    }
    print(
        f"data: {figures['cases']:,} cases, {figures['open']:,} open, "
        f"{figures['open_overdue']:,} of them overdue ({figures['prepare_seconds']} s to prepare)"
    )
    return figures


# --- the map ----------------------------------------------------------------------------


def bench_map(repeat: int) -> dict:
    from django.test import Client

    from civicgrid.accounts.models import User
    from civicgrid.cases.models import OPEN_STATUSES, Case
    from civicgrid.cases.scope import visible_cases
    from civicgrid.regions.models import Region

    leader = User.objects.get(username="leader")
    client = Client()
    client.force_login(leader)
    district = Region.objects.get(code="370502000000")
    w, s, e, n = (
        scalar("SELECT min(lng) FROM cases_case"),
        scalar("SELECT min(lat) FROM cases_case"),
        scalar("SELECT max(lng) FROM cases_case"),
        scalar("SELECT max(lat) FROM cases_case"),
    )
    cx, cy = (w + e) / 2, (s + n) / 2
    boxes = {
        "district, zoom 12": ((w, s, e, n), 12),
        "a street, zoom 15": ((cx - 0.01, cy - 0.01, cx + 0.01, cy + 0.01), 15),
        "a block, zoom 18": ((cx - 0.001, cy - 0.001, cx + 0.001, cy + 0.001), 18),
    }
    result = {"as": "leader", "district": district.name}
    for name, (box, zoom) in boxes.items():
        url = "/map/cases.geojson?bbox=" + ",".join(f"{v:.5f}" for v in box) + f"&zoom={zoom}"
        body = json.loads(client.get(url).content)
        shown = sum(
            f["properties"]["count"] if f["properties"].get("cluster") else 1
            for f in body["features"]
        )
        figures = timed(lambda url=url: client.get(url), repeat)
        figures |= {"total": body["total"], "features": len(body["features"]), "shown": shown}
        result[name] = figures
        print(
            f"map {name}: {figures['total']:,} open cases in the box as "
            f"{figures['features']} features (counting {shown:,}): p50 {figures['p50_ms']} ms, "
            f"p95 {figures['p95_ms']} ms"
        )

    def old_points():  # the query the map ran before: the newest 2,000, the rest unseen
        cases = visible_cases(leader, Case.objects.filter(status__in=OPEN_STATUSES))
        fields = ("number", "title", "status", "lng", "lat", "due_at", "warn_at")
        return list(cases.filter(lat__isnull=False).order_by("-created_at").values(*fields)[:2000])

    before = result["before: newest 2,000 points"] = timed(old_points, repeat)
    print(f"map before (newest 2,000 points, the rest unseen): {before}")
    return result


# --- the overdue scan -------------------------------------------------------------------


def bench_overdue(repeat: int) -> dict:
    from django.db.models import F
    from django.utils import timezone

    from civicgrid.cases.models import OPEN_STATUSES, OVERDUE_UNMARKED, Case
    from civicgrid.cases.services import mark_overdue
    from civicgrid.supervision.services import UNIT_STATUSES

    now = timezone.now()
    # mark_overdue's query: a batch of the cases still to mark, in the partial index's order.
    new = Case.objects.filter(OVERDUE_UNMARKED, due_at__lt=now).order_by("due_at", "id")
    new = new.values_list("id", flat=True)[:500]
    old = Case.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now).exclude(
        overdue_marked_for=F("due_at")
    )
    result = {
        "scan, partial index": timed(lambda: list(new.all()), repeat),
        "scan before": timed(lambda: list(old.values_list("id", flat=True)), repeat),
        "pending": len(list(new.all())),
        "plan": explain(new),
    }
    late = Case.objects.filter(
        status__in=UNIT_STATUSES, main_department__isnull=False, due_at__lt=now
    ).order_by("pk")
    result["supervision late-case scan"] = timed(lambda: late.count(), repeat)
    start = time.perf_counter()
    marked = mark_overdue()
    result["mark_overdue run"] = {
        "marked": marked,
        "seconds": round(time.perf_counter() - start, 2),
    }
    start = time.perf_counter()
    result["mark_overdue run again (nothing to mark)"] = {
        "marked": mark_overdue(),
        "ms": round((time.perf_counter() - start) * 1000, 1),
    }
    print(
        f"overdue scan: {result['pending']} pending: partial index p50 "
        f"{result['scan, partial index']['p50_ms']} ms, before p50 "
        f"{result['scan before']['p50_ms']} ms; mark_overdue marked {marked} in "
        f"{result['mark_overdue run']['seconds']} s, again "
        f"{result['mark_overdue run again (nothing to mark)']['ms']} ms; supervision scan p50 "
        f"{result['supervision late-case scan']['p50_ms']} ms"
    )
    return result


def explain(queryset) -> list[str]:
    from django.db import connection

    query, params = queryset.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
        return [row[0] for row in cur.fetchall()]


# --- hot issues -------------------------------------------------------------------------


def add_new_cases(count: int) -> None:
    """``count`` new cases filed in the last hour: copies of random earlier ones."""
    from django.db import connection

    from civicgrid.cases.models import Case

    skip = {"id", "number", "created_at", "updated_at", "closed_at", "status"}
    columns = [f.column for f in Case._meta.concrete_fields if f.column not in skip]
    listed = ", ".join(columns)
    tag = datetime.now(UTC).strftime("%H%M%S")
    with connection.cursor() as cur:
        # A sample of pages three times as large as needed (1 % at a million cases and more).
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'cases_case'")
        percent = min(100.0, max(1.0, 300.0 * count / max(cur.fetchone()[0], 1.0)))
        cur.execute(
            f"INSERT INTO cases_case (number, created_at, updated_at, status, {listed}) "  # noqa: S608
            f"SELECT 'N{tag}' || lpad(row_number() OVER ()::text, 6, '0'), "
            "now() - random() * interval '1 hour', now(), 'registered', "
            f"{listed} FROM cases_case WHERE id IN ("
            "  SELECT id FROM cases_case TABLESAMPLE SYSTEM (%s) LIMIT %s)",
            [percent, count],
        )


def bench_hot(days: int, new: int, skip_full: bool = False) -> dict:
    from django.utils import timezone

    from civicgrid.duplicates.models import HotIssueRefresh
    from civicgrid.duplicates.services import refresh

    result = {"days": days}
    window = scalar(
        "SELECT count(*) FROM cases_case WHERE created_at >= now() - %s * interval '1 day'",
        [days],
    )
    result["cases_in_window"] = window
    runs = (("full", {"full": True}), ("no new case", {}))
    for name, kwargs in runs[1:] if skip_full else runs:
        start = time.perf_counter()
        done = refresh(days=days, **kwargs)
        result[name] = _run(done, start)
        _say(name, result[name])
    for n in (1, 2):
        add_new_cases(new)
        start = time.perf_counter()
        done = refresh(days=days)
        result[f"{new} new cases, run {n}"] = _run(done, start)
        _say(f"{new} new cases, run {n}", result[f"{new} new cases, run {n}"])
    for n in (1, 2):  # nothing new again, a minute later (the heat decays, counts recounted)
        later = timezone.now() + timedelta(minutes=n)
        start = time.perf_counter()
        done = refresh(days=days, now=later)
        result[f"no new case, again {n}"] = _run(done, start)
        _say(f"no new case, again {n}", result[f"no new case, again {n}"])
    state = HotIssueRefresh.objects.get()
    result["capped"] = {"reports": state.capped_reports, "blocks": state.capped_blocks}
    return result


def _run(done, start) -> dict:
    import resource

    return {
        "seconds": round(time.perf_counter() - start, 2),
        "new_cases": done.new_cases,
        "attached": done.attached,
        "held": done.held_reports,
        "blocks_clustered": done.blocks_refreshed,
        "issues": done.issues.count(),
        "capped_reports": done.capped_reports,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def _say(name, r) -> None:
    print(
        f"hot issues, {name}: {r['seconds']} s, {r['new_cases']} new cases "
        f"({r['attached']} joined an issue, {r['held']} held in all), "
        f"{r['blocks_clustered']} blocks clustered, {r['issues']} issues, "
        f"{r['capped_reports']} reports capped (reported), max RSS {r['max_rss_mb']} MB"
    )


def main(argv=None):
    args = parse_args(argv)
    setup(args)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "load_average_before": os.getloadavg()[0],
        },
        "goals": GOALS,
    }
    parts = set(args.parts.split(","))
    if parts & {"map", "overdue"}:
        report["data"] = prepare_open_cases(args.open, args.pending)
    if "map" in parts:
        report["map"] = bench_map(args.repeat)
    if "overdue" in parts:
        report["overdue"] = bench_overdue(args.repeat)
    if "hot" in parts:
        report["hot_issues"] = bench_hot(args.days, args.new, args.skip_full)
    report["machine"]["load_average_after"] = os.getloadavg()[0]
    part = "" if len(parts) == 3 else "-" + "-".join(sorted(parts))
    label = f"-{args.label}" if args.label else ""
    out = Path(args.out) / f"jobs{part}-postgresql-{datetime.now(UTC):%Y%m%d}{label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    print(
        f"load average {report['machine']['load_average_before']:.1f} → "
        f"{report['machine']['load_average_after']:.1f} on {os.cpu_count()} cores"
    )
    print(f"written {out.relative_to(HERE.parent) if out.is_relative_to(HERE.parent) else out}")


if __name__ == "__main__":
    main()
