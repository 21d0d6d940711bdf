"""Duplicate detection: how right the "likely duplicate" flag is, and how fast the search.

Not a test. Two parts (both by default)::

    uv run python bench/duplicates.py                    # quality, then speed at 1,000,000 cases
    uv run python bench/duplicates.py --cases 50000      # a quick speed run
    uv run python bench/duplicates.py --quality-only

**Quality** (no database): each message of the training split of
``civicgrid/triage/data/messages.csv`` is rewritten as a second caller would tell it
(``demo.duplicates_evaluation.rewrite``) and compared with its original and ten other messages
of its category (the five most alike and five at random); the threshold with ≥ 95 %
precision there is the one to ship. The same is then measured on the *held-out* split,
at the shipped threshold (``candidates.LIKELY_DUPLICATE``). Goal (issue #4): precision
≥ 0.9 at recall ≥ 0.8.

**Speed** (PostgreSQL): creates its own database (``--db``, default civicgrid_dupbench,
dropped and made anew unless ``--reuse``), loads the demo district (948 grids), fills it
with ``--cases`` cases spread over the grids and two years (``INSERT … SELECT
generate_series`` in batches of 100,000, texts cycled from the TipDM messages), then times
``find_candidates`` for ``--queries`` rewritten held-out messages at random grids, as the
demo operator (scope applied). Goal: p99 ≤ 10 ms at 1,000,000 cases. ``--hot`` also
times ``refresh_hot_issues`` over the last 30 days.

Prints the figures and writes ``bench/results/duplicates-<date>.json``.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

GOALS = {"precision": 0.9, "recall": 0.8, "p99_ms": 10.0, "cases": 1_000_000}
PG = "postgres://postgres@127.0.0.1:5432"
BATCH = 100_000
DAYS = 730


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to store")
    parser.add_argument("--queries", type=int, default=1000, help="timed searches")
    parser.add_argument("--db", default="civicgrid_dupbench", help="PostgreSQL database")
    parser.add_argument("--server", default=PG, help="PostgreSQL server URL, no database")
    parser.add_argument("--reuse", action="store_true", help="keep the filled database")
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--hot", action="store_true", help="also time refresh-hot-issues")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--out", default=str(HERE / "results"))
    return parser.parse_args(argv)


# --- quality -----------------------------------------------------------------------------


def quality() -> dict:
    from civicgrid.demo import duplicates_evaluation as ev
    from civicgrid.duplicates.candidates import LIKELY_DUPLICATE
    from civicgrid.triage import dataset

    def messages(split):
        return [ev.Message(m.title, m.detail, m.label, m.id) for m in dataset.load(split)]

    train_pairs, _ = ev.make_pairs(messages("train"))
    chosen = ev.choose_threshold(train_pairs)
    test_pairs, rewrites = ev.make_pairs(messages("test"))
    shipped = ev.measure(test_pairs, LIKELY_DUPLICATE)
    result = {
        "threshold_chosen_on_train": chosen,
        "threshold_shipped": LIKELY_DUPLICATE,
        "train": ev.measure(train_pairs, chosen),
        "test": shipped,
        "test_recall_by_operation": ev.recall_by_operation(test_pairs, rewrites, LIKELY_DUPLICATE),
        "test_curve": [ev.measure(test_pairs, t / 20) for t in range(4, 20)],
    }
    print(
        f"quality: threshold chosen on {train_pairs[-1].query + 1} training messages: {chosen} "
        f"(shipped {LIKELY_DUPLICATE})"
    )
    print(
        f"  held out: {shipped['duplicates']} rewrites, {shipped['pairs']} pairs → precision "
        f"{shipped['precision']:.3f}, recall {shipped['recall']:.3f}, F1 {shipped['f1']:.3f}, "
        f"original ranked first {shipped['top1']:.3f}"
    )
    by_op = ", ".join(f"{k} {v:.2f}" for k, v in result["test_recall_by_operation"].items())
    print(f"  recall by rewrite operation: {by_op}")
    return result


# --- speed -------------------------------------------------------------------------------


def fresh_database(args) -> None:
    import psycopg

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone()
        if exists and args.reuse:
            return
        if exists:
            conn.execute(f'DROP DATABASE "{args.db}"')
        conn.execute(f'CREATE DATABASE "{args.db}"')


def setup_django(args) -> None:
    """Django on the bench database (or, for the quality part alone, on nothing at all)."""
    if not args.quality_only:
        fresh_database(args)
        os.environ["DATABASE_URL"] = f"{args.server}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()


def load_district() -> None:
    from civicgrid.demo.load import load_demo

    load_demo(progress=True)


def _texts() -> list[tuple[str, str, str]]:
    from civicgrid.triage import dataset

    return [(m.title[:200], m.detail or m.title, m.label) for m in dataset.load()]


def _sql_fields(skip: set[str]) -> dict[str, object]:
    """Every other column of ``cases_case``: its model default, or NULL."""
    from django.db import connection

    from civicgrid.cases.models import Case

    values = {}
    for field in Case._meta.concrete_fields:
        if field.column in skip or field.primary_key:
            continue
        default = None if field.null else field.get_db_prep_save(field.get_default(), connection)
        values[field.column] = default
    return values


def fill(count: int, seed: int) -> float:
    """Store ``count`` cases over the demo grids and two years; returns the seconds taken."""
    from django.db import connection, transaction
    from tqdm import tqdm

    from civicgrid.cases.models import Case
    from civicgrid.demo.load import LABEL_TO_CATEGORY
    from civicgrid.regions.models import Level, Region
    from civicgrid.routing.models import Category

    def category_id(label):
        root, name = LABEL_TO_CATEGORY[label].split("/")
        return Category.objects.filter(name=name, parent__name=root).values_list("pk", flat=True)[0]

    start = time.perf_counter()
    texts = _texts()
    grids = list(
        Region.objects.filter(level=Level.GRID, code__startswith="370502")
        .order_by("code")
        .values_list("pk", "path", "centroid_lng", "centroid_lat")
    )
    district = Region.objects.get(code="370502000000").pk
    categories = {label: category_id(label) for label in LABEL_TO_CATEGORY}
    computed = {
        "number", "channel", "title", "content", "category_id", "grid_id", "region_path",
        "lng", "lat", "owner_region_id", "status", "created_at", "updated_at", "closed_at",
        "reporter_phone_hash", "input_datum",
    }  # fmt: skip
    rest = _sql_fields(computed)
    columns = [*computed, *rest]
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_texts (i int, title text, content text, cat int)")
        with cur.copy("COPY bench_texts FROM STDIN") as copy:
            for i, (title, content, label) in enumerate(texts):
                copy.write_row((i, title, content, categories[label]))
        cur.execute(
            "CREATE TEMP TABLE bench_grids (i int, id int, path text, lng float, lat float)"
        )
        with cur.copy("COPY bench_grids FROM STDIN") as copy:
            for i, row in enumerate(grids):
                copy.write_row((i, *row))
        done = Case.objects.count()
        for first in tqdm(range(done, count, BATCH), desc=f"cases (batches of {BATCH:,})"):
            last = min(first + BATCH, count)
            with transaction.atomic():
                cur.execute(_insert_sql(columns, rest), _insert_params(first, last, len(texts),
                            len(grids), district, seed, rest))  # fmt: skip
        cur.execute("ANALYZE cases_case")
    return time.perf_counter() - start


def _insert_sql(columns: list[str], rest: dict) -> str:
    """One batch: every row's text, grid and time drawn from its number, in SQL."""
    computed = {
        "number": "'B' || lpad(g::text, 9, '0')",
        "channel": "(ARRAY['hotline','hotline','web','citizen','grid_patrol'])[1 + g %% 5]",
        "title": "t.title",
        "content": "t.content",
        "category_id": "t.cat",
        "grid_id": "r.id",
        "region_path": "r.path",
        "lng": "r.lng",
        "lat": "r.lat",
        "owner_region_id": "%(district)s",
        "created_at": "s.at",
        "updated_at": "s.at",
        # Older than 60 days: handled and closed; newer: a mix of open steps and closed.
        "status": "CASE WHEN s.at < now() - interval '60 days' THEN 'closed' ELSE "
        "(ARRAY['registered','dispatched','handling','replied','verified','closed'])"
        "[1 + (g * 7) %% 6] END",
        "closed_at": "CASE WHEN s.at < now() - interval '60 days' THEN s.at + interval '5 days' "
        "END",
        "reporter_phone_hash": "md5(g::text)",
        "input_datum": "'wgs84'",
    }
    select = [computed.get(c) or f"%({c})s" for c in columns]
    return (
        f"INSERT INTO cases_case ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(select)} FROM ("
        "  SELECT g, now() - (hashtext(g::text || %(seed)s) & 1048575) / 1048576.0 "
        "    * interval '730 days' AS at FROM generate_series(%(first)s::bigint, %(last)s - 1) g"
        ") s "
        "JOIN bench_texts t ON t.i = (g * 7919) %% %(texts)s "
        "JOIN bench_grids r ON r.i = (hashtext(g::text) & 2147483647) %% %(grids)s"
    )


def _insert_params(first, last, texts, grids, district, seed, rest) -> dict:
    params = {
        "first": first,
        "last": last,
        "texts": texts,
        "grids": grids,
        "district": district,
        "seed": str(seed),
    }
    params.update(rest)
    return params


def timed_searches(queries: int, seed: int) -> dict:
    from django.db import connection

    from civicgrid.accounts.models import User
    from civicgrid.demo import duplicates_evaluation as ev
    from civicgrid.duplicates.candidates import find_candidates
    from civicgrid.regions.models import Level, Region
    from civicgrid.triage import dataset

    rng = random.Random(seed)
    operator = User.objects.get(username="operator")
    grids = list(Region.objects.filter(level=Level.GRID).values_list("pk", flat=True))
    held_out = dataset.load("test")
    asks = []
    for message in rng.choices(held_out, k=queries + 50):
        retold = ev.rewrite(ev.Message(message.title, message.detail, message.label), rng)
        asks.append((retold.title, retold.content, rng.choice(grids)))
    for title, content, grid in asks[:50]:  # warm up caches and the connection
        find_candidates(title, content, grid, actor=operator)
    times, cpu, scanned = [], [], []
    load_before = os.getloadavg()[0]
    for title, content, grid in asks[50:]:
        start, start_cpu = time.perf_counter(), time.process_time()
        found = find_candidates(title, content, grid, actor=operator)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        scanned.append(found.scanned)
    times.sort()
    cpu.sort()

    def pct(p):
        return times[min(len(times) - 1, int(p / 100 * len(times)))]

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        stored = cur.fetchone()[0]
    return {
        "stored_cases": stored,
        "queries": len(times),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": statistics.fmean(times),
        # This process's CPU per search (the database server's not counted): what the
        # search costs when the machine is not shared.
        "client_cpu_p50_ms": cpu[len(cpu) // 2],
        "client_cpu_p99_ms": cpu[min(len(cpu) - 1, int(0.99 * len(cpu)))],
        "load_average": [load_before, os.getloadavg()[0]],
        "max_ms": times[-1],
        "scanned_mean": statistics.fmean(scanned),
        "scanned_max": max(scanned),
        "plan": explain(*asks[-1], operator),
    }


def explain(title: str, content: str, grid: int, operator) -> list[str]:
    """The plan of the query one search ran, to see the (grid, created_at) index at work."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicgrid.duplicates.candidates import find_candidates

    with CaptureQueriesContext(connection) as ran:
        find_candidates(title, content, grid, actor=operator)
    sql = next(q["sql"] for q in ran.captured_queries if "cases_case" in q["sql"])
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cur.fetchall()]


def time_hot_issues() -> dict:
    from civicgrid.duplicates.models import HotIssue
    from civicgrid.duplicates.services import refresh_hot_issues

    start = time.perf_counter()
    found = refresh_hot_issues(days=30)
    seconds = time.perf_counter() - start
    print(f"refresh-hot-issues over 30 days: {seconds:.1f} s, {len(found)} hot issues")
    return {"days": 30, "seconds": seconds, "issues": HotIssue.objects.count()}


def speed(args) -> dict:
    from django.core.management import call_command

    from civicgrid.cases.models import Case

    call_command("migrate", verbosity=0)
    if not Case.objects.filter(number__startswith="B").exists() or not args.reuse:
        load_district()
    fill_seconds = fill(args.cases, args.seed) if Case.objects.count() < args.cases else 0.0
    result = timed_searches(args.queries, args.seed)
    result["fill_seconds"] = fill_seconds
    print(
        f"speed: {result['stored_cases']:,} cases on PostgreSQL, {result['queries']} searches "
        f"(each compared {result['scanned_mean']:.0f} nearby open cases on average, at most "
        f"{result['scanned_max']}): p50 {result['p50_ms']:.2f} ms, p95 {result['p95_ms']:.2f} "
        f"ms, p99 {result['p99_ms']:.2f} ms, max {result['max_ms']:.1f} ms; this process's CPU "
        f"per search p50 {result['client_cpu_p50_ms']:.2f} ms; load average "
        f"{result['load_average'][0]:.1f} → {result['load_average'][1]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    if args.hot:
        result["hot_issues"] = time_hot_issues()
    return result


def main(argv=None):
    args = parse_args(argv)
    report: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
        },
        "goals": GOALS,
    }
    setup_django(args)
    if not args.speed_only:
        report["quality"] = quality()
    if not args.quality_only:
        report["speed"] = speed(args)
    reached = {}
    if "quality" in report:
        test = report["quality"]["test"]
        reached["precision"] = test["precision"] >= GOALS["precision"]
        reached["recall"] = test["recall"] >= GOALS["recall"]
    if "speed" in report:
        s = report["speed"]
        reached["p99_ms"] = s["p99_ms"] <= GOALS["p99_ms"]
        reached["at_1m_cases"] = s["stored_cases"] >= GOALS["cases"]
    report["reached"] = reached
    print(f"goals reached: {reached}")
    out = Path(args.out) / f"duplicates-{datetime.now(UTC):%Y%m%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    print(f"written {out.relative_to(HERE.parent) if out.is_relative_to(HERE.parent) else out}")


if __name__ == "__main__":
    main()
