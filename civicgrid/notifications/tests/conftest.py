"""The notification tests' world: the shared personas plus a co-handling department,
a grid worker of another grid and a dispatcher of another district (never told)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Each world has nine accounts; the real hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def co_bureau(db):
    return f.make_department("供电公司", code="GDGS")


@pytest.fixture
def world(
    operator,
    dispatcher,
    handler,
    grid_worker,
    leader,
    district,
    other_district,
    bureau,
    co_bureau,
    category,
):
    f.make_user(Role.HANDLER, department=co_bureau, username="cohandler")
    f.make_user(Role.GRID_WORKER, regions=[district["grid21"]], username="othergridworker")
    f.make_user(Role.DISPATCHER, regions=[other_district["district"]], username="otherdispatcher")
    return SimpleNamespace(
        operator=operator,
        dispatcher=dispatcher,
        handler=handler,
        grid_worker=grid_worker,
        leader=leader,
        district=district,
        bureau=bureau,
        co_bureau=co_bureau,
        category=category,
    )


def new_case(w, **overrides):
    return f.make_case(
        actor=w.operator, grid=w.district["grid11"], category=w.category, **overrides
    )


def case_at(w, status: str, **overrides):
    """A case walked to ``status`` (notices of the walk are not sent: no commit)."""
    case = new_case(w, **overrides)
    steps = {
        "dispatched": [
            (
                Action.DISPATCH,
                w.dispatcher,
                {"main_department": w.bureau.pk, "co_departments": [w.co_bureau.pk]},
            )
        ],
        "handling": [(Action.ACKNOWLEDGE, w.handler, {})],
        "extension_requested": [
            (Action.REQUEST_EXTENSION, w.handler, {"days": 2, "note": "需要采购配件"})
        ],
        "replied": [(Action.REPLY, w.handler, {"reply": "路灯已修复。"})],
        "verified": [(Action.VERIFY_PASS, w.grid_worker, {})],
        "rated": [(Action.CALLBACK, w.operator, {"rating": "unsatisfied"})],
    }
    order = ["dispatched", "handling", "replied", "verified", "rated"]
    if status == "extension_requested":
        order = ["dispatched", "handling", "extension_requested"]
    for name in order[: order.index(status) + 1] if status in order else []:
        for action, actor, data in steps[name]:
            services.act(case, action, actor=actor, **data)
    case.refresh_from_db()
    return case


class _Receiver(BaseHTTPRequestHandler):
    """A department system: records each POST and answers with the next queued code."""

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        with server.lock:
            server.received.append({"headers": dict(self.headers), "body": body})
            code = server.replies.pop(0) if server.replies else server.default
        self.send_response(code)
        if 300 <= code < 400:
            self.send_header("Location", "/elsewhere")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    """A real HTTP server on a free local port, in a thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.lock = threading.Lock()
    server.received, server.replies, server.default = [], [], 200
    server.url = f"http://127.0.0.1:{server.server_port}/civicgrid-hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
