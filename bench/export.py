"""What an Excel export costs: rows per second and peak memory, 2,000 to 100,000 rows.

Not a test. Runs in a throw-away SQLite database (or ``--database-url``)::

    uv run python bench/export.py

Loads the demo's regions, departments and categories, then 100,000 generated cases
(``bench/_grow.py``, as ``bench/scale.py`` grows them: real citizen messages, each case
with its events, ``COPY`` on PostgreSQL; one dispatched case in ten with a co-handling
unit) and writes the case list with ``cases.exports.write_workbook`` — what the
request (up to ``exports.SYNC_LIMIT`` rows) and the export worker run — for the newest
2,000, 10,000 and 100,000 cases. Each size is timed once plainly (rows per second, the
file's size) and once under ``tracemalloc`` (the peak of Python's allocations while
writing: flat if rows are streamed, growing with the rows if not). Writes
``bench/results/export-<db>-<date>.json``.
"""

import argparse
import json
import os
import platform
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import _grow  # noqa: E402
from _setup import setup_django  # noqa: E402

SIZES = (2_000, 10_000, 100_000)
DAYS = 365
CO_HANDLING = 10  # one dispatched case in this many has a co-handling unit


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL (default: SQLite)")
    parser.add_argument("--cases", type=int, default=max(SIZES))
    parser.add_argument(
        "--data-dir", default="", help="reuse this folder's database (loaded by an earlier run)"
    )
    parser.add_argument("--out", default=str(HERE / "results"), help="folder for the JSON")
    return parser.parse_args(argv)


def load_cases(count: int) -> None:
    """``count`` generated cases (``bench/_grow.py``) over the demo's grids, categories and
    units, one dispatched case in ``CO_HANDLING`` with a co-handling unit."""
    from civicgrid.demo import load

    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    world = _grow.spread()
    _grow.grow(count, world, days=DAYS, progress=print)
    _grow.co_handling(CO_HANDLING, world)


def measure(size: int, folder: Path) -> dict:
    from civicgrid.cases.exports import write_workbook
    from civicgrid.cases.models import Case
    from civicgrid.cases.search import NEWEST_FIRST

    cases = Case.objects.order_by(*NEWEST_FIRST)[:size]
    target = folder / f"export-{size}.xlsx"
    started, cpu = time.perf_counter(), time.process_time()
    written = write_workbook(target, cases)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    tracemalloc.start()
    write_workbook(folder / f"export-{size}-traced.xlsx", cases)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": written,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": round(written / seconds),
        # The machine may be shared: rows per second of this process's own CPU time.
        "rows_per_cpu_second": round(written / cpu),
        "peak_python_mb": round(peak / 2**20, 1),
        "file_mb": round(target.stat().st_size / 2**20, 1),
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    folder = setup_django(args.database_url, "export", data_dir=args.data_dir)
    from django.db import connection

    if _grow.generated() < args.cases:
        started = time.perf_counter()
        load_cases(args.cases)
        print(f"loaded {args.cases} cases in {time.perf_counter() - started:.0f} s")
    results = {}
    for size in (s for s in SIZES if s <= args.cases):
        results[str(size)] = figures = measure(size, folder)
        print(
            f"{size:>7} rows: {figures['seconds']:>6} s ({figures['cpu_seconds']} s CPU), "
            f"{figures['rows_per_second']:>6} rows/s ({figures['rows_per_cpu_second']} per CPU s), "
            f"peak {figures['peak_python_mb']} MB (Python, traced), file {figures['file_mb']} MB"
        )
    import resource

    report = {
        "bench": "export",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": results,
        "max_rss_mb_whole_run": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": os.getloadavg()[0],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"export-{connection.vendor}-{datetime.now(UTC):%Y%m%d}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return report


if __name__ == "__main__":
    main()
