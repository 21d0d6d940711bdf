"""A flood on the citizens' report page: refused cheaply, and no accepted report lost.

Not a test. Run it against a *running* server that trusts ``X-Forwarded-For`` (so the
script can stand for many citizens) and has the demo district (see bench/README.md)::

    CIVICGRID_CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR uv run gunicorn civicgrid.wsgi -w 2 \\
        -b 127.0.0.1:8002 &
    uv run python bench/citizen_flood.py --url http://127.0.0.1:8002 -n 400 -c 16 --addresses 8

Each request is what a browser does: GET /report/ (cookie, key, check question), then
POST the form with one small photo. ``--addresses`` client addresses share the requests,
so with the default limit (20 per address per hour) most of a large flood is refused
with 429. It prints how many were accepted and refused, the latency of each kind, and
then opens every accepted report's tracking link: each must answer 200 (the report was
committed before its answer). Writes ``bench/results/citizen-flood-<db>-<date>.json``.
"""

import argparse
import io
import json
import random
import re
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from PIL import Image

HERE = Path(__file__).resolve().parent
DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8002")
    parser.add_argument("-n", type=int, default=400, help="reports sent in all")
    parser.add_argument("-c", type=int, default=16, help="concurrent clients")
    parser.add_argument("--addresses", type=int, default=8, help="client addresses used")
    parser.add_argument("--db", default="sqlite", help="label for the result file")
    parser.add_argument("--out", default=str(HERE / "results"))
    return parser.parse_args(argv)


def solve(question: str) -> str:
    numbers = [DIGITS.get(c, c) for c in re.findall(r"\d+|[零一二三四五六七八九]", question)]
    a, b = (int(n) for n in numbers[:2])
    return str(a - b if ("minus" in question or "减" in question) else a + b)


def small_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 160, 200)).save(out, "JPEG", quality=80)
    return out.getvalue()


def grid_points(client: httpx.Client) -> list[tuple[float, float]]:
    """Points inside the grids, from the public outlines (first ring's first corner, nudged)."""
    features = client.get("/report/grids.geojson").json()["features"]
    points = []
    for f in features:
        if f["properties"]["level"] != "grid":
            continue
        ring = f["geometry"]["coordinates"][0]
        ring = ring[0] if isinstance(ring[0][0], list) else ring
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        points.append((sum(xs) / len(xs), sum(ys) / len(ys)))
    return points or [(118.5, 37.45)]


def one_report(base: str, address: str, phone: str, point, photo: bytes) -> tuple[int, float, str]:
    """(status, seconds of the POST, tracking link or "")."""
    headers = {"X-Forwarded-For": address}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        form = client.get("/report/").text
        data = {
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[
                1
            ],
            "key": re.search(r'name="key" value="([^"]+)"', form)[1],
            "challenge": re.search(r'name="challenge" value="([^"]+)"', form)[1],
            "answer": solve(re.search(r'class="question">([^<]+)<', form)[1]),
            "description": "小区门口路灯不亮，晚上很黑，请尽快修理。",
            "phone": phone,
            "consent": "on",
            "lng": f"{point[0]:.6f}",
            "lat": f"{point[1]:.6f}",
            "datum": "wgs84",
        }
        start = time.perf_counter()
        response = client.post(
            "/report/",
            data=data,
            files={"photos": ("p.jpg", photo, "image/jpeg")},
            headers={"Referer": f"{base}/report/"},
        )
        took = time.perf_counter() - start
        link = re.search(
            r'data-tracking-link[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-tracking-link',
            response.text,
        )
        found = (link[1] or link[2]) if link else ""
        return response.status_code, took, found


def pct(values, q):
    return round(statistics.quantiles(values, n=100)[q - 1] * 1000, 1) if len(values) > 1 else None


def main(argv=None):
    args = parse_args(argv)
    photo = small_photo()
    with httpx.Client(base_url=args.url, timeout=60) as client:
        points = grid_points(client)
    rng = random.Random(7)
    jobs = [
        (f"198.51.100.{i % args.addresses + 1}", f"139{i:08d}", rng.choice(points))
        for i in range(args.n)
    ]
    results: list[tuple[int, float, str]] = []
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not jobs:
                    return
                address, phone, point = jobs.pop()
            try:
                got = one_report(args.url, address, phone, point, photo)
            except httpx.HTTPError as exc:
                got = (0, 0.0, str(exc))
            with lock:
                results.append(got)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started

    accepted = [r for r in results if r[0] == 200]
    refused = [r for r in results if r[0] == 429]
    other = [r for r in results if r[0] not in (200, 429)]
    lost = 0
    with httpx.Client(timeout=60) as client:
        for _status, _took, link in accepted:
            if not link or client.get(link).status_code != 200:
                lost += 1
    figures = {
        "db": args.db,
        "requests": args.n,
        "clients": args.c,
        "addresses": args.addresses,
        "wall_seconds": round(wall, 2),
        "accepted": len(accepted),
        "refused_429": len(refused),
        "other": len(other),
        "accepted_but_not_found": lost,
        "accepted_p50_ms": pct([r[1] for r in accepted], 50),
        "accepted_p95_ms": pct([r[1] for r in accepted], 95),
        "refused_p50_ms": pct([r[1] for r in refused], 50),
        "refused_p95_ms": pct([r[1] for r in refused], 95),
    }
    print(json.dumps(figures, indent=2))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"citizen-flood-{args.db}-{datetime.now(UTC):%Y%m%d}.json"
    (out / name).write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {out / name}")
    return 0 if lost == 0 and not other else 1


if __name__ == "__main__":
    raise SystemExit(main())
