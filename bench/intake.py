"""Intake throughput: full ``POST /api/cases`` against a bare one-row insert, same server.

Not a test. Run it against a *running* server started with ``CIVICGRID_BENCH_ENDPOINTS=1``
(see bench/README.md)::

    uv run python bench/intake.py --url http://127.0.0.1:8001 --token cg_… -n 2000 -c 16

Both phases send the same bodies with the same token through the same middleware; the
bare endpoint then inserts one row, the API registers a real case (validation, grid
lookup, case number, deadlines, scope check, case + event rows, notifications). The two
phases alternate in ``--rounds`` slices so that other load on the machine hits both
alike. It prints requests/s and p50/p95/p99 latency of each, the ratio, the client's own
CPU time, and writes the figures to ``bench/results/intake-<db>-<date>.json``.
"""

import argparse
import csv
import http.client
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

HERE = Path(__file__).resolve().parent
MESSAGES = HERE.parent / "civicgrid" / "demo" / "data" / "messages_sample.csv"
CHANNELS = ["hotline", "hotline", "hotline", "web", "citizen", "grid_patrol"]
TARGET_RATIO = 0.40
TARGET_P95_MS = 50.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8001", help="running server")
    parser.add_argument("--token", required=True, help="API token (cg_…) of an operator")
    parser.add_argument("-n", type=int, default=2000, help="requests per phase")
    parser.add_argument("-c", type=int, default=16, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests per phase")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="alternate bare and intake this many times, so that noise from "
        "other load on the machine hits both alike",
    )
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--out", default=str(HERE / "results"), help="folder for the JSON")
    return parser.parse_args(argv)


# --- what to send ----------------------------------------------------------------------


def messages() -> list[tuple[str, str]]:
    """Real citizen messages (title, detail) shipped with the demo data."""
    with MESSAGES.open(encoding="utf-8") as handle:
        return [
            (row["title"][:200], row["detail"][:2000])
            for row in csv.DictReader(handle)
            if row["title"].strip() and row["detail"].strip()
        ]


def grid_centroids(client: httpx.Client) -> list[tuple[float, float]]:
    points, offset = [], 0
    while True:
        page = client.get("/api/regions", params={"level": "grid", "limit": 5000, "offset": offset})
        page.raise_for_status()
        body = page.json()
        points += [
            (r["centroid"]["lng"], r["centroid"]["lat"]) for r in body["items"] if r["centroid"]
        ]
        offset += len(body["items"])
        if not body["items"] or offset >= body["count"]:
            return points


def category_codes(client: httpx.Client) -> list[str]:
    response = client.get("/api/categories")
    response.raise_for_status()
    return [
        c["code"]
        for c in response.json()
        if not any(f.get("required") for f in c["extra_fields"])
        and (not c["request_types"] or "complaint" in c["request_types"])
    ]


def bodies(n: int, points, codes, texts, rng: random.Random) -> list[dict]:
    result = []
    for i in range(n):
        lng, lat = rng.choice(points)
        title, content = rng.choice(texts)
        result.append(
            {
                "channel": rng.choice(CHANNELS),
                "request_type": "complaint",
                "category": rng.choice(codes) if codes else None,
                "title": title,
                "content": content,
                "address": f"测试路{rng.randint(1, 300)}号",
                # Within ~50 m of a grid's centroid: inside the grid for all but slivers.
                "location": {
                    "lng": lng + rng.uniform(-4e-4, 4e-4),
                    "lat": lat + rng.uniform(-4e-4, 4e-4),
                    "datum": "wgs84",
                },
                "reporter": {"name": "张先生", "phone": f"139{rng.randint(0, 99_999_999):08d}"},
                "extra": {"bench_seq": i},
            }
        )
    return result


# --- running ---------------------------------------------------------------------------


def run_phase(url: str, path: str, token: str, payloads: list[dict], concurrency: int) -> dict:
    """POST every payload with ``concurrency`` keep-alive clients; latencies in ms."""
    return summarise(*post_all(url, path, token, payloads, concurrency))


def post_all(url: str, path: str, token: str, payloads: list[dict], concurrency: int):
    """(latencies, failures, wall seconds, client CPU seconds) of POSTing every payload."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    queue = iter(payloads)
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept-Language": "zh-hans",
        "Content-Type": "application/json",
    }

    def worker():
        # http.client, not httpx, in the timed loop: a third of the client CPU per request,
        # which matters when client and server share the machine.
        target = urlsplit(url)
        connection = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
        while True:
            with lock:
                payload = next(queue, None)
            if payload is None:
                connection.close()
                return
            body = json.dumps(payload, ensure_ascii=False).encode()
            started = time.perf_counter()
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                text = response.read()
                ok, detail = response.status == 201, text[:300].decode(errors="replace")
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                ok, detail = False, repr(exc)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    failures.append(detail)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    cpu_started = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures, time.perf_counter() - started, time.process_time() - cpu_started


def run_rounds(url: str, token: str, payloads: list[dict], concurrency: int, rounds: int):
    """Bare and intake alternately, ``rounds`` times each; the sums of each phase."""
    phases = {"bare": "/bench/bare-insert/", "intake": "/api/cases"}
    totals = {name: ([], [], 0.0, 0.0) for name in phases}
    size = -(-len(payloads) // rounds)
    for start in range(0, len(payloads), size):
        chunk = payloads[start : start + size]
        for name, path in phases.items():
            latencies, failures, wall, cpu = post_all(url, path, token, chunk, concurrency)
            done = totals[name]
            totals[name] = (done[0] + latencies, done[1] + failures, done[2] + wall, done[3] + cpu)
    return {name: summarise(*total) for name, total in totals.items()}


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def summarise(latencies: list[float], failures: list[str], wall: float, cpu: float) -> dict:
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "first_failures": failures[:3],
        "seconds": round(wall, 3),
        "per_second": round((len(latencies) - len(failures)) / wall, 1),
        "p50_ms": round(percentile(ordered, 0.50), 2),
        "p95_ms": round(percentile(ordered, 0.95), 2),
        "p99_ms": round(percentile(ordered, 0.99), 2),
        "mean_ms": round(statistics.fmean(ordered), 2) if ordered else None,
        "client_cpu_seconds": round(cpu, 2),
    }


def database_of(url: str, token: str) -> str:
    response = httpx.post(
        f"{url}/bench/bare-insert/",
        json={"title": "probe"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    if response.status_code == 404:
        sys.exit(
            "/bench/bare-insert/ is missing: start the server with CIVICGRID_BENCH_ENDPOINTS=1"
        )
    response.raise_for_status()
    return response.json().get("database", "unknown")


def main(argv=None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    url = args.url.rstrip("/")
    database = database_of(url, args.token)
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {args.token}"}, timeout=30
    ) as client:
        points = grid_centroids(client)
        codes = category_codes(client)
    if not points:
        sys.exit("the server has no grids: load the demo geography first")
    texts = messages()
    warm = bodies(args.warmup, points, codes, texts, rng)
    timed = bodies(args.n, points, codes, texts, rng)

    print(
        f"{database} at {url}: {len(points)} grids, {len(codes)} categories, "
        f"{args.n} requests per phase, {args.c} clients"
    )
    for path in ("/bench/bare-insert/", "/api/cases"):
        run_phase(url, path, args.token, warm, args.c)
    results = run_rounds(url, args.token, timed, args.c, max(1, args.rounds))
    ratio = results["intake"]["per_second"] / results["bare"]["per_second"]
    verdict = {
        "ratio": round(ratio, 3),
        "ratio_target": TARGET_RATIO,
        "p95_target_ms": TARGET_P95_MS,
        "meets_ratio": ratio >= TARGET_RATIO,
        "meets_p95": results["intake"]["p95_ms"] <= TARGET_P95_MS,
    }
    report(results, verdict)
    write(args, database, results, verdict, len(points))
    return 0 if not (results["bare"]["failures"] or results["intake"]["failures"]) else 1


def report(results: dict, verdict: dict) -> None:
    columns = ("req/s", "p50 ms", "p95 ms", "p99 ms")
    print(f"{'':8}" + "".join(f"{c:>9}" for c in columns) + f"{'fail':>6}{'client cpu s':>14}")
    for name, r in results.items():
        print(
            f"{name:8}{r['per_second']:>9}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}"
            f"{r['failures']:>6}{r['client_cpu_seconds']:>14}"
        )
        for failure in r["first_failures"]:
            print(f"  failure: {failure}")
    print(
        f"intake ÷ bare = {verdict['ratio']:.0%} (target ≥ {TARGET_RATIO:.0%}: "
        f"{'met' if verdict['meets_ratio'] else 'NOT met'}); intake p95 "
        f"{results['intake']['p95_ms']} ms (target ≤ {TARGET_P95_MS:.0f}: "
        f"{'met' if verdict['meets_p95'] else 'NOT met'})"
    )


def write(args, database: str, results: dict, verdict: dict, grids: int) -> None:
    now = datetime.now(UTC)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"intake-{database}-{now:%Y%m%d}.json"
    path.write_text(
        json.dumps(
            {
                "benchmark": "intake",
                "at": now.isoformat(timespec="seconds"),
                "database": database,
                "url": args.url,
                "requests_per_phase": args.n,
                "clients": args.c,
                "rounds": args.rounds,
                "grids": grids,
                "machine": {
                    "cpus": os.cpu_count(),
                    # Other work on the machine skews the rates: say how busy it was.
                    "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "results": results,
                "verdict": verdict,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written to {path}")


if __name__ == "__main__":
    sys.exit(main())
