"""Every door at once: citizens' photo reports, Open311 clients and platform alerts.

Not a test. Run it against a *running* demo server that trusts ``X-Forwarded-For`` (so
the script can stand for many citizens; see bench/README.md)::

    CIVICGRID_CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR uv run gunicorn civicgrid.wsgi -w 4 \\
        -b 127.0.0.1:8003 &
    uv run python bench/channels.py --url http://127.0.0.1:8003 --seconds 60 -c 12

For ``--seconds`` the clients send a mix (default 40 % citizens, 30 % Open311, 30 %
alerts). Citizens do what a browser does (GET the form, answer the check question, POST
with one photo) from many addresses, each under the per-address limit. Open311 clients
POST form-encoded requests with the demo client's key. Alerts come from the demo's video
analytics source, signed; a third of them repeat an event already sent, as cameras do,
and must be merged into the open case rather than open a new one.

It prints, per channel, accepted reports per second and p50/p95 latency, the alerts
merged, and then checks that every accepted report can be read back (the tracking link,
the public Open311 request): nothing accepted may be lost. Writes
``bench/results/channels-<db>-<date>.json``.
"""

import argparse
import json
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from citizen_flood import grid_points, one_report, small_photo  # noqa: E402

from civicgrid.alerts.client import post_alert  # noqa: E402  (standard library only)

OPEN311_KEY = "o311_demo-citizen-app-key"  # published demo key (civicgrid/demo/open311.py)
VIDEO_SOURCE = ("dongying-video", "demo-video-secret-do-not-use-in-production")
TEXTS = [
    "小区门口路灯不亮，晚上很黑，请尽快修理。",
    "人行道上井盖松动，踩上去会翻，存在安全隐患。",
    "路边垃圾桶已满多日无人清运，气味很大。",
    "绿化带里的树枝折断挂在电线上，请派人处理。",
    "道路中间出现一个大坑，电动车经过很危险。",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8003")
    parser.add_argument("--seconds", type=float, default=60, help="how long to send")
    parser.add_argument("-c", type=int, default=12, help="concurrent clients")
    parser.add_argument(
        "--mix", default="40,30,30", help="shares of citizens, Open311 and alerts (percent)"
    )
    parser.add_argument("--db", default="sqlite", help="label for the result file")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=str(HERE / "results"))
    return parser.parse_args(argv)


class Run:
    """What the clients share: targets, counters and the results."""

    def __init__(self, args, points, services):
        self.args, self.points, self.services = args, points, services
        self.lock = threading.Lock()
        self.rng = random.Random(args.seed)
        self.results: dict[str, list[tuple[int, float, str]]] = defaultdict(list)
        self.sent_events: list[dict] = []
        self.citizens = 0
        self.deadline = time.perf_counter() + args.seconds
        shares = [int(x) for x in args.mix.split(",")]
        self.channels = ["citizen"] * shares[0] + ["open311"] * shares[1] + ["alert"] * shares[2]

    def next_job(self):
        with self.lock:
            if time.perf_counter() >= self.deadline:
                return None
            channel = self.rng.choice(self.channels)
            point = self.rng.choice(self.points)
            self.citizens += channel == "citizen"
            return channel, point, self.citizens, self.rng.random()

    def record(self, channel: str, result: tuple[int, float, str]) -> None:
        with self.lock:
            self.results[channel].append(result)


def citizen(run: Run, point, n: int, photo: bytes):
    # 10 reports per address keeps each address under the default limit of 20 an hour.
    address = f"203.0.{n // 2500 % 250}.{n // 10 % 250 + 1}"
    return one_report(run.args.url, address, f"137{n:08d}", point, photo)


def open311(run: Run, client: httpx.Client, point, text: str):
    body = {
        "api_key": OPEN311_KEY,
        "service_code": run.rng.choice(run.services),
        "lat": f"{point[1]:.6f}",
        "long": f"{point[0]:.6f}",
        "description": text,
    }
    start = time.perf_counter()
    response = client.post("/open311/v2/requests.json", data=body)
    took = time.perf_counter() - start
    number = ""
    if response.status_code == 201 or response.status_code == 200:
        number = response.json()[0].get("service_request_id", "")
    return response.status_code, took, number


def alert(run: Run, point, repeat: bool):
    with run.lock:
        earlier = run.rng.choice(run.sent_events) if repeat and run.sent_events else None
    if earlier is None:
        payload = {
            "camera_id": f"CAM-{run.rng.randint(100, 999)}",
            "event_id": f"EV{uuid.uuid4().hex[:14]}",
            "event_type": "street_vending",
            "location_name": "黄河路与济南路路口",
            "snapshot_url": f"https://video.example.gov.cn/{uuid.uuid4().hex[:8]}.jpg",
            "confidence": 0.93,
            "lng": round(point[0], 6),
            "lat": round(point[1], 6),
            "datum": "wgs84",
            "observed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with run.lock:
            run.sent_events.append(payload)
    else:
        payload = {**earlier, "observed_at": datetime.now(UTC).isoformat(timespec="seconds")}
    slug, secret = VIDEO_SOURCE
    start = time.perf_counter()
    status, answer = post_alert(run.args.url, slug, secret, payload)
    took = time.perf_counter() - start
    return status, took, f"{answer.get('status', '')}:{answer.get('case') or ''}"


def worker(run: Run, photo: bytes) -> None:
    with httpx.Client(base_url=run.args.url, timeout=60) as client:
        while (job := run.next_job()) is not None:
            channel, point, n, draw = job
            text = TEXTS[int(draw * len(TEXTS))]
            try:
                if channel == "citizen":
                    result = citizen(run, point, n, photo)
                elif channel == "open311":
                    result = open311(run, client, point, text)
                else:
                    result = alert(run, point, repeat=draw < 1 / 3)
            except (httpx.HTTPError, OSError) as exc:
                result = (0, 0.0, str(exc))
            run.record(channel, result)


def ms(values: list[float], q: int):
    if len(values) < 2:
        return None
    return round(statistics.quantiles(values, n=100)[q - 1] * 1000, 1)


def summarise(run: Run, wall: float) -> dict:
    figures = {}
    ok = {"citizen": (200,), "open311": (200, 201), "alert": (202,)}
    for channel in ("citizen", "open311", "alert"):
        rows = run.results[channel]
        accepted = [r for r in rows if r[0] in ok[channel]]
        figures[channel] = {
            "sent": len(rows),
            "accepted": len(accepted),
            "per_second": round(len(accepted) / wall, 2),
            "p50_ms": ms([r[1] for r in accepted], 50),
            "p95_ms": ms([r[1] for r in accepted], 95),
            "refused": dict(Counter(str(r[0]) for r in rows if r[0] not in ok[channel])),
        }
    alerts = [r for r in run.results["alert"] if r[0] == 202]
    figures["alert"]["merged"] = sum(1 for r in alerts if r[2].startswith("merged:"))
    figures["alert"]["new_cases"] = len(
        {r[2].split(":", 1)[1] for r in alerts if r[2].startswith("processed:")}
    )
    figures["all"] = {
        "accepted": sum(figures[c]["accepted"] for c in ("citizen", "open311", "alert")),
        "per_second": round(
            sum(figures[c]["accepted"] for c in ("citizen", "open311", "alert")) / wall, 2
        ),
        "p95_ms": ms([r[1] for rows in run.results.values() for r in rows if r[0] < 300], 95),
    }
    return figures


def lost_reports(run: Run) -> int:
    """Accepted reports that cannot be read back."""
    lost = 0
    with httpx.Client(base_url=run.args.url, timeout=60) as client:
        for status, _took, link in run.results["citizen"]:
            if status == 200 and (not link or client.get(link).status_code != 200):
                lost += 1
        numbers = {r[2] for r in run.results["open311"] if r[0] in (200, 201)}
        numbers |= {
            r[2].split(":", 1)[1] for r in run.results["alert"] if r[0] == 202 and ":" in r[2]
        }
        for number in filter(None, numbers):
            if client.get(f"/open311/v2/requests/{number}.json").status_code != 200:
                lost += 1
    return lost


def main(argv=None) -> int:
    args = parse_args(argv)
    with httpx.Client(base_url=args.url, timeout=60) as client:
        points = grid_points(client)
        services = [
            s["service_code"]
            for s in client.get("/open311/v2/services.json").json()
            if not s.get("metadata")
        ]
    run = Run(args, points, services)
    photo = small_photo()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(run, photo)) for _ in range(args.c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    figures = summarise(run, wall)
    figures["lost"] = lost_reports(run)
    figures.update(db=args.db, clients=args.c, seconds=round(wall, 1), mix=args.mix, url=args.url)
    for channel in ("citizen", "open311", "alert"):
        f = figures[channel]
        print(
            f"{channel:8} {f['accepted']:5d}/{f['sent']:<5d} accepted  {f['per_second']:6.2f}/s"
            f"  p50 {f['p50_ms']} ms  p95 {f['p95_ms']} ms  refused {f['refused']}"
        )
    print(
        f"alerts merged into an open case: {figures['alert']['merged']} "
        f"(new cases from alerts: {figures['alert']['new_cases']})"
    )
    print(
        f"all channels: {figures['all']['per_second']} reports/s, p95 {figures['all']['p95_ms']}"
        f" ms; accepted but not found afterwards: {figures['lost']}"
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"channels-{args.db}-{datetime.now(UTC):%Y%m%d}.json"
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {path.relative_to(HERE.parent)}")
    return 0 if figures["lost"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
