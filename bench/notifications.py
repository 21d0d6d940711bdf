"""Notifications: what telling people costs the committing request, and sender throughput.

Not a test. Builds a throw-away database (SQLite in a temporary folder, or the database
of ``--database-url``, which must be empty; it is filled and left), a district with one
department of ``--handlers`` handlers who all chose e-mail and SMS, and a webhook of
that department pointing at a real HTTP server on 127.0.0.1 (answers 200)::

    uv run python bench/notifications.py
    uv run python bench/notifications.py --database-url postgres://postgres@127.0.0.1:5432/nb

It measures, next to the baseline of one committed single-row ``UPDATE`` (what a
commit costs on this database and machine):

1. ``notify_for_event`` for a dispatch (runs in the committing request, after commit):
   p50/p95 milliseconds and queries per call — in-app notices plus the delivery rows;
2. the same for a normal new case (must be zero queries: intake stays cheap);
3. ``civicgrid send-notifications`` throughput: deliveries per second (e-mail through
   Django's locmem backend, SMS through the logging gateway, webhooks over HTTP) with
   one sender and with two racing senders — and that nothing was sent twice.

Writes ``bench/results/notifications-<db>-<date>.json``.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from _setup import setup_django  # noqa: E402

GOAL_NOTIFY_P95_MS = 20.0
GOAL_DELIVERIES_PER_S = 100.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL (empty: SQLite)")
    parser.add_argument("-n", type=int, default=200, help="dispatched cases")
    parser.add_argument("--handlers", type=int, default=5, help="handlers in the department")
    parser.add_argument("--out", default=str(HERE / "results"), help="folder for the JSON")
    return parser.parse_args(argv)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.count += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def start_receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.lock, server.count = threading.Lock(), 0
    server.url = f"http://127.0.0.1:{server.server_port}/hook"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def world(handlers: int, url: str):
    from civicgrid.accounts.models import Role
    from civicgrid.cases.tests import factories as f
    from civicgrid.notifications.models import DepartmentWebhook
    from civicgrid.notifications.services import set_preferences

    district = f.make_district(prefix="3791")
    bureau = f.make_department("城市管理局", code="BENCH-CGJ")
    category = f.make_category("市容环境", code="B01")
    f.make_rule(category, bureau)
    operator = f.make_user(Role.OPERATOR, regions=[district["district"]])
    dispatcher = f.make_user(Role.DISPATCHER, regions=[district["district"]])
    for i in range(handlers):
        user = f.make_user(Role.HANDLER, department=bureau)
        user.email, user.phone = f"handler{i}@cgj.example.gov.cn", f"1390000{i:04d}"
        user.save()
        set_preferences(user, by_email=True, by_sms=True)
    DepartmentWebhook.objects.create(department=bureau, url=url)
    return district, bureau, category, operator, dispatcher


def ms(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(values[int(0.95 * (len(values) - 1))] * 1000, 2),
    }


def measure_commit() -> dict:
    """The baseline: one committed single-row UPDATE, this database, this machine."""
    from civicgrid.notifications.models import Notification

    row = Notification.objects.first()
    times = []
    for _ in range(200):
        start = time.perf_counter()
        Notification.objects.filter(pk=row.pk).update(read_at=None)
        times.append(time.perf_counter() - start)
    return ms(times)


def measure_notify(events) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicgrid.notifications.models import Delivery, Notification
    from civicgrid.notifications.services import notify_for_event

    Notification.objects.all().delete()
    Delivery.objects.all().delete()
    times = []
    # As ``cases.events.record`` hands it on: the event and its case in memory.
    for event in events:
        start = time.perf_counter()
        notify_for_event(event)
        times.append(time.perf_counter() - start)
    Notification.objects.filter(event=events[0]).delete()
    Delivery.objects.filter(event=events[0]).delete()
    with CaptureQueriesContext(connection) as queries:
        notify_for_event(events[0])
    return {**ms(times), "queries": len(queries), "calls": len(times)}


def measure_normal_intake(new_cases) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicgrid.notifications.services import notify_for_event

    events = []
    for case in new_cases:
        event = case.events.get()
        event.case = case
        events.append(event)
    times = []
    with CaptureQueriesContext(connection) as queries:
        for event in events:
            start = time.perf_counter()
            notify_for_event(event)
            times.append(time.perf_counter() - start)
    return {
        "p50_us": round(statistics.median(times) * 1e6, 1),
        "queries": len(queries),
        "calls": len(events),
    }


def drain(workers: int) -> dict:
    from django.db import connection
    from django.db.models import Count

    from civicgrid.notifications import sender
    from civicgrid.notifications.models import Delivery

    total = Delivery.objects.count()
    counts: list[int] = []

    def run():
        try:
            done = 0
            while True:
                outcome = sender.run_once(batch=100)
                if not outcome:
                    break
                done += sum(outcome.values())
            counts.append(done)
        finally:
            connection.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    statuses = dict(
        Delivery.objects.values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "workers": workers,
        "deliveries": total,
        "seconds": round(elapsed, 2),
        "per_second": round(total / elapsed, 1),
        "statuses": statuses,
        "processed": sum(counts),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    setup_django(args.database_url, "notify", fresh=True)
    from django.core import mail
    from django.db import connection

    from civicgrid.cases import services
    from civicgrid.cases.lifecycle import Action
    from civicgrid.cases.tests import factories as f
    from civicgrid.notifications.models import Delivery, Notification, SmsMessage

    mail.outbox = []
    receiver = start_receiver()
    district, bureau, category, operator, dispatcher = world(args.handlers, receiver.url)
    grid = district["grid11"]
    print(f"{connection.vendor}: dispatching {args.n} cases to {args.handlers} handlers …")
    events = []
    for _ in range(args.n):
        case = f.make_case(actor=operator, grid=grid, category=category)
        events.append(
            services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
        )
    normal = [f.make_case(actor=operator, grid=grid, category=category) for _ in range(200)]

    notify = measure_notify(events)
    commit = measure_commit()
    print(f"baseline, one committed single-row UPDATE: p50 {commit['p50_ms']} ms")
    intake = measure_normal_intake(normal)
    print(
        f"notify_for_event (dispatch → {args.handlers} handlers, e-mail + SMS + webhook): "
        f"p50 {notify['p50_ms']} ms, p95 {notify['p95_ms']} ms, {notify['queries']} queries"
    )
    print(f"normal new case: {intake['queries']} queries in {intake['calls']} calls")

    one = drain(1)
    mail.outbox, receiver.count = [], 0
    SmsMessage.objects.all().delete()
    Notification.objects.all().delete()
    Delivery.objects.all().delete()
    measure_notify(events)  # the same deliveries again, for the race
    two = drain(2)
    per_event = 2 * args.handlers + 1
    twice = {
        "emails": len(mail.outbox),
        "sms": SmsMessage.objects.count(),
        "webhooks": receiver.count,
        "expected_each": args.n * args.handlers,
    }
    for run in (one, two):
        print(
            f"{run['workers']} sender(s): {run['deliveries']} deliveries in {run['seconds']} s "
            f"= {run['per_second']} /s ({run['statuses']})"
        )
    print(
        f"racing senders: {twice['emails']} e-mails, {twice['sms']} texts, "
        f"{twice['webhooks']} webhooks (expected {twice['expected_each']}, "
        f"{twice['expected_each']}, {args.n})"
    )
    sent_once = (
        twice["emails"] == twice["sms"] == twice["expected_each"] and twice["webhooks"] == args.n
    )
    result = {
        "benchmark": "notifications",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "cases": args.n,
        "handlers": args.handlers,
        "deliveries_per_event": per_event,
        "baseline_commit": commit,
        "notify_dispatch": notify,
        "notify_normal_intake": intake,
        "sender_one": one,
        "sender_two": two,
        "racing_senders_sent_each_once": sent_once,
        "goals": {
            "notify_p95_ms": GOAL_NOTIFY_P95_MS,
            "deliveries_per_second": GOAL_DELIVERIES_PER_S,
            "normal_intake_queries": 0,
        },
        "met": {
            "notify_p95": notify["p95_ms"] <= GOAL_NOTIFY_P95_MS,
            "throughput": one["per_second"] >= GOAL_DELIVERIES_PER_S,
            "normal_intake": intake["queries"] == 0,
            "sent_once": sent_once,
        },
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"notifications-{connection.vendor}-{datetime.now(UTC):%Y%m%d}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"goals met: {result['met']}\nwritten: {path}")
    receiver.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
