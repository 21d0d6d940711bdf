"""Intake throughput: ``POST /api/cases`` and Open311 ``POST requests`` against a bare
one-row insert, same server.

Not a test. Run it against a *running* server started with ``CIVICGRID_BENCH_ENDPOINTS=1``
(see bench/README.md)::

    uv run python bench/intake.py --url http://127.0.0.1:8001 --token cg_… -n 2000 -c 16 \
        --server-pid "$(cat gunicorn.pid)" --pg-database civicgrid_bench

The phases send the same reports through the same middleware; the bare endpoint then
inserts one row, the API and Open311 register a real case each (validation, grid lookup,
case number, deadlines, scope check, case + event rows, the Open311 row, the idempotency
key, notifications). Every API and Open311 request carries its own ``Idempotency-Key``,
as a careful client's would. The phases alternate in ``--rounds`` slices so that other
load on the machine hits them alike. It prints requests/s and p50/p95/p99 latency of
each, the ratios, the CPU per request of the web process(es) and of the PostgreSQL
backends (from ``/proc/<pid>/stat``), the client's own CPU time, and writes the figures
to ``bench/results/intake-<db>-<date>.json``.
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
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

HERE = Path(__file__).resolve().parent
MESSAGES = HERE.parent / "civicgrid" / "demo" / "data" / "messages_sample.csv"
CHANNELS = ["hotline", "hotline", "hotline", "web", "citizen", "grid_patrol"]
TARGET_RATIO = 0.60
TARGET_P95_MS = 50.0
OPEN311_KEY = "o311_demo-citizen-app-key"  # civicgrid.demo.open311.DEMO_API_KEY
PHASES = {
    "bare": "/bench/bare-insert/",
    "api": "/api/cases",
    "open311": "/open311/v2/requests.json",
}
TICKS = os.sysconf("SC_CLK_TCK")


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
    parser.add_argument("--api-key", default=OPEN311_KEY, help="Open311 client key")
    parser.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="the web server's pid (gunicorn's master: its workers are counted too); "
        "repeat for several; without it no web CPU is reported",
    )
    parser.add_argument(
        "--pg-database",
        default=os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1].split("?")[0],
        help="the database whose PostgreSQL backends' CPU is counted (default: DATABASE_URL's)",
    )
    parser.add_argument("--out", default=str(HERE / "results"), help="folder for the JSON")
    parser.add_argument("--label", default="", help="added to the JSON's file name (before, after)")
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


def open311_codes(client: httpx.Client) -> list[str]:
    """Services that need no attribute and take a plain request for help."""
    response = client.get("/open311/v2/services.json")
    response.raise_for_status()
    codes = []
    for service in response.json():
        if service["metadata"]:
            definition = client.get(f"/open311/v2/services/{service['service_code']}.json")
            if any(a["required"] for a in definition.json().get("attributes", [])):
                continue
        codes.append(service["service_code"])
    return codes


def as_open311(payload: dict, code: str) -> dict:
    """The same report as an Open311 ``POST requests`` form (title as the first line)."""
    return {
        "service_code": code,
        "lat": payload["location"]["lat"],
        "long": payload["location"]["lng"],
        "description": f"{payload['title']}\n{payload['content']}",
        "address_string": payload["address"],
        "first_name": payload["reporter"]["name"],
        "phone": payload["reporter"]["phone"],
    }


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


def encode(path: str, payload: dict, api_key: str) -> tuple[bytes, str]:
    """The body and its content type: a form for Open311, JSON for the rest."""
    if path == PHASES["open311"]:
        form = payload["open311"] | {"api_key": api_key}
        return urlencode(form).encode(), "application/x-www-form-urlencoded"
    body = {k: v for k, v in payload.items() if k != "open311"}
    return json.dumps(body, ensure_ascii=False).encode(), "application/json"


def post_all(
    url: str, path: str, token: str, payloads: list[dict], concurrency: int, api_key: str = ""
):
    """(latencies, failures, wall seconds, client CPU seconds) of POSTing every payload.

    Each request carries a fresh ``Idempotency-Key``; a 200 or 201 is a success.
    """
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    queue = iter(payloads)

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
            body, content_type = encode(path, payload, api_key)
            headers = {
                "Authorization": f"Bearer {token}",
                "Accept-Language": "zh-hans",
                "Content-Type": content_type,
                "Idempotency-Key": uuid.uuid4().hex,
            }
            started = time.perf_counter()
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                text = response.read()
                ok = response.status in (200, 201)
                detail = f"{response.status} {text[:300].decode(errors='replace')}"
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


# --- server CPU from /proc ---------------------------------------------------------------


def _ticks(pid: int) -> int | None:
    """utime + stime of ``pid`` in clock ticks (None when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


def web_pids(roots: list[int]) -> list[int]:
    """The server processes and all their descendants (gunicorn's workers)."""
    pids, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += _children(pid)
    return pids


def backend_pids(database: str) -> list[int]:
    """PostgreSQL backends connected to ``database`` (by their process title)."""
    if not database:
        return []
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # "postgres: [15/main: ]user database host(port) state"
        words = title.split()
        if words[:1] == ["postgres:"] and database in words[2:4]:
            pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU seconds the web process(es) and the database backends spent over one phase."""

    def __init__(self, server_pids: list[int], database: str):
        self.server_pids, self.database = server_pids, database

    def sample(self) -> dict[str, dict[int, int]]:
        groups = {"web": web_pids(self.server_pids), "db": backend_pids(self.database)}
        return {
            name: {pid: t for pid in pids if (t := _ticks(pid)) is not None}
            for name, pids in groups.items()
        }

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        """Seconds per group; a process born during the phase counts from zero."""
        return {
            name: sum(t - before[name].get(pid, 0) for pid, t in after[name].items()) / TICKS
            for name in after
        }


def run_rounds(
    url: str,
    token: str,
    payloads: list[dict],
    concurrency: int,
    rounds: int,
    *,
    api_key: str,
    meter: CpuMeter,
):
    """Every phase in turn, ``rounds`` times each; the sums of each phase."""
    totals = {name: ([], [], 0.0, 0.0) for name in PHASES}
    cpu = {name: {"web": 0.0, "db": 0.0} for name in PHASES}
    size = -(-len(payloads) // rounds)
    for start in range(0, len(payloads), size):
        chunk = payloads[start : start + size]
        for name, path in PHASES.items():
            before = meter.sample()
            latencies, failures, wall, client_cpu = post_all(
                url, path, token, chunk, concurrency, api_key
            )
            for group, seconds in meter.spent(before, meter.sample()).items():
                cpu[name][group] += seconds
            done = totals[name]
            totals[name] = (
                done[0] + latencies,
                done[1] + failures,
                done[2] + wall,
                done[3] + client_cpu,
            )
    results = {}
    for name, total in totals.items():
        result = summarise(*total)
        n = max(1, result["requests"])
        result["web_cpu_ms_per_request"] = round(cpu[name]["web"] * 1000 / n, 2)
        result["db_cpu_ms_per_request"] = round(cpu[name]["db"] * 1000 / n, 2)
        result["cpu_ms_per_request"] = round(
            result["web_cpu_ms_per_request"] + result["db_cpu_ms_per_request"], 2
        )
        results[name] = result
    return results


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
        timeout=60,
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
        services = open311_codes(client)
    if not points:
        sys.exit("the server has no grids: load the demo geography first")
    if not services:
        sys.exit("the server offers no Open311 service without required attributes")
    texts = messages()
    warm = bodies(args.warmup, points, codes, texts, rng)
    timed = bodies(args.n, points, codes, texts, rng)
    for payload in warm + timed:
        payload["open311"] = as_open311(payload, rng.choice(services))

    meter = CpuMeter(args.server_pid, args.pg_database if database == "postgresql" else "")
    print(
        f"{database} at {url}: {len(points)} grids, {len(codes)} categories, "
        f"{len(services)} Open311 services, {args.n} requests per phase, {args.c} clients"
    )
    for path in PHASES.values():
        post_all(url, path, args.token, warm, args.c, args.api_key)
    results = run_rounds(
        url, args.token, timed, args.c, max(1, args.rounds), api_key=args.api_key, meter=meter
    )
    bare = results["bare"]["per_second"]
    verdict: dict = {"ratio_target": TARGET_RATIO, "p95_target_ms": TARGET_P95_MS}
    for name in ("api", "open311"):
        ratio = results[name]["per_second"] / bare
        verdict[name] = {
            "ratio": round(ratio, 3),
            "meets_ratio": ratio >= TARGET_RATIO,
            "meets_p95": results[name]["p95_ms"] <= TARGET_P95_MS,
        }
    verdict["cpu_measured"] = {"web": bool(args.server_pid), "db": bool(meter.database)}
    report(results, verdict)
    write(args, database, results, verdict, len(points))
    return 0 if not any(r["failures"] for r in results.values()) else 1


def report(results: dict, verdict: dict) -> None:
    columns = ("req/s", "p50 ms", "p95 ms", "p99 ms")
    cpu = ("web ms/req", "db ms/req", "cpu ms/req")
    print(
        f"{'':8}"
        + "".join(f"{c:>9}" for c in columns)
        + f"{'fail':>6}"
        + "".join(f"{c:>12}" for c in cpu)
        + f"{'client cpu s':>14}"
    )
    for name, r in results.items():
        print(
            f"{name:8}{r['per_second']:>9}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}"
            f"{r['failures']:>6}{r['web_cpu_ms_per_request']:>12}"
            f"{r['db_cpu_ms_per_request']:>12}{r['cpu_ms_per_request']:>12}"
            f"{r['client_cpu_seconds']:>14}"
        )
        for failure in r["first_failures"]:
            print(f"  failure: {failure}")
    for name in ("api", "open311"):
        v = verdict[name]
        print(
            f"{name} ÷ bare = {v['ratio']:.0%} (target ≥ {TARGET_RATIO:.0%}: "
            f"{'met' if v['meets_ratio'] else 'NOT met'}); {name} p95 "
            f"{results[name]['p95_ms']} ms (target ≤ {TARGET_P95_MS:.0f}: "
            f"{'met' if v['meets_p95'] else 'NOT met'})"
        )
    if not verdict["cpu_measured"]["web"]:
        print("web CPU not measured: pass --server-pid (gunicorn's master)")


def write(args, database: str, results: dict, verdict: dict, grids: int) -> None:
    now = datetime.now(UTC)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    label = f"-{args.label}" if args.label else ""
    path = out / f"intake-{database}-{now:%Y%m%d}{label}.json"
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
                "server_pids": args.server_pid,
                "pg_database": args.pg_database,
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
