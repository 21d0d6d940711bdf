"""Open311 speed: posting requests, and reading a full page of 1000 in both formats.

Not a test. Run it against a *running* demo server (``civicgrid demo``) with the demo
client's key::

    uv run python bench/open311.py --url http://127.0.0.1:8000 -n 800 -c 4

Phase 1 posts ``-n`` requests (real citizen messages from the demo data, at points near
the demo's existing cases) from ``-c`` keep-alive clients through ``POST requests.json``:
the whole path (form parsing, attribute checks, intake, grid lookup, case number, the
Open311 row). Phase 2 reads ``GET requests`` with ``page_size=1000`` as JSON and XML,
with and without ``extensions=true`` (the public events of every case), and a page of
``servicerequestupdates``. Prints requests/s and p50/p95 latency and writes
``bench/results/open311-<db>-<date>.json``.
"""

import argparse
import csv
import json
import os
import platform
import random
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
MESSAGES = HERE.parent / "civicgrid" / "demo" / "data" / "messages_sample.csv"
DEMO_KEY = "o311_demo-citizen-app-key"
SERVICES = ["010204", "010214", "010211", "1601", "1602"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="running demo server")
    parser.add_argument("--key", default=DEMO_KEY, help="api_key of a client system")
    parser.add_argument("--db", default="sqlite", help="label of the database, for the file")
    parser.add_argument("-n", type=int, default=800, help="requests to post")
    parser.add_argument("-c", type=int, default=4, help="concurrent clients")
    parser.add_argument("--reads", type=int, default=20, help="timed reads per variant")
    parser.add_argument("--seed", type=int, default=311)
    parser.add_argument("--out", default=str(HERE / "results"), help="folder for the JSON")
    return parser.parse_args(argv)


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
    }


def bodies(client: httpx.Client, args) -> list[dict]:
    rng = random.Random(args.seed)
    with MESSAGES.open(encoding="utf-8") as handle:
        texts = [f"{r['title']}\n{r['detail']}"[:2000] for r in csv.DictReader(handle)]
    cases = client.get("/open311/v2/requests.json", params={"page_size": 1000}).json()
    points = [(c["lat"], c["long"]) for c in cases if c["lat"] is not None]
    if not points:
        raise SystemExit("no demo cases with a position: run `civicgrid demo` first")
    return [
        {
            "api_key": args.key,
            "service_code": rng.choice(SERVICES),
            "lat": f"{lat + rng.uniform(-3e-4, 3e-4):.6f}",
            "long": f"{lng + rng.uniform(-3e-4, 3e-4):.6f}",
            "description": rng.choice(texts),
            "first_name": "三",
            "last_name": "张",
            "phone": f"13{rng.randint(100000000, 999999999)}",
        }
        for lat, lng in (rng.choice(points) for _i in range(args.n))
    ]


def post_phase(args, to_send: list[dict]) -> dict:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    queue = list(to_send)

    def worker():
        with httpx.Client(base_url=args.url, timeout=60) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                started = time.perf_counter()
                response = client.post("/open311/v2/requests.json", data=body)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 200:
                        failures.append(response.text[:200])

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _i in range(args.c)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "per_second": round(len(latencies) / wall, 1),
        **percentiles(latencies),
    }


def read_phase(client: httpx.Client, args) -> dict:
    variants = {
        "requests.json": ("/open311/v2/requests.json", {"page_size": 1000}),
        "requests.xml": ("/open311/v2/requests.xml", {"page_size": 1000}),
        "requests.json+extensions": (
            "/open311/v2/requests.json",
            {"page_size": 1000, "extensions": "true"},
        ),
        "requests.xml+extensions": (
            "/open311/v2/requests.xml",
            {"page_size": 1000, "extensions": "true"},
        ),
        "servicerequestupdates.json": (
            "/open311/v2/servicerequestupdates.json",
            {"page_size": 1000},
        ),
        "services.json": ("/open311/v2/services.json", {}),
    }
    results = {}
    for name, (path, params) in variants.items():
        client.get(path, params=params)  # warm up
        samples, size, rows = [], 0, None
        for _i in range(args.reads):
            started = time.perf_counter()
            response = client.get(path, params=params)
            samples.append(time.perf_counter() - started)
            response.raise_for_status()
            size = len(response.content)
            if path.endswith(".json"):
                rows = len(response.json())
        results[name] = {**percentiles(samples), "bytes": size, "rows": rows}
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    with httpx.Client(base_url=args.url, timeout=60) as client:
        to_send = bodies(client, args)
        posted = post_phase(args, to_send)
        print(
            f"POST requests: {posted['requests']} in {args.c} clients, "
            f"{posted['per_second']}/s, p50 {posted['p50_ms']} ms, p95 {posted['p95_ms']} ms, "
            f"{posted['failures']} failed"
        )
        reads = read_phase(client, args)
    for name, figures in reads.items():
        print(
            f"GET {name:<28} rows {figures['rows']!s:>5}  {figures['bytes']:>9} B  "
            f"p50 {figures['p50_ms']:>7} ms  p95 {figures['p95_ms']:>7} ms"
        )
    result = {
        "benchmark": "open311",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "db": args.db,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            # Other load on a shared machine inflates every figure: keep it with them.
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "args": {"n": args.n, "c": args.c, "reads": args.reads},
        "post_requests": posted,
        "reads": reads,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"open311-{args.db}-{datetime.now(UTC):%Y%m%d}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return 1 if posted["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
