"""kill -9 of the real server mid-POST: the client's retries under the same
Idempotency-Key file each report exactly once, through the API and through Open311.

The server is the production one (gunicorn serving ``civicgrid.wsgi``) in a subprocess
on the test database. ``CIVICGRID_TEST_STALL_INTAKE`` (test only) makes every intake
wait inside its transaction with all its rows written; the test kills the server with
SIGKILL there, starts a new one and sends every report again, twice at once.
PostgreSQL only: SQLite's test database lives in the test's own process.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from civicgrid.cases.models import Case, CaseEvent, IntakeKey
from civicgrid.cases.tests.test_api import bearer, intake
from civicgrid.open311.models import ServiceRequest

from .conftest import BASE

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the server needs the test database: PostgreSQL"
)

API_KEYS = ("kill9-api-0001", "kill9-api-0002")
OPEN311_KEYS = ("kill9-o311-0001", "kill9-o311-0002")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


class Server:
    """gunicorn on the test database: one worker, four threads (four intakes at once)."""

    def __init__(self, stall: float = 0):
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_SETTINGS_MODULE": "civicgrid.settings",
            "CIVICGRID_TEST_STALL_INTAKE": str(stall),
            "DEBUG": "0",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "civicgrid.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                "1",
                "-k",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "120",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: master and worker die together
        )
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, "the server did not start"
            try:
                if self.request("GET", f"{BASE}/discovery.json", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not answer within 30 s"
            time.sleep(0.2)

    def request(self, method, path, body=b"", headers=None, timeout=30.0):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def kill(self) -> None:
        """SIGKILL to the master and its worker, as a crash or the OOM killer would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def open_transactions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_post_then_retries_file_each_report_once(
    operator, district, app_client, post_data
):
    api_headers = {**bearer(operator), "Content-Type": "application/json"}
    api_body = json.dumps(intake(district["grid11"])).encode()
    open311_body = urlencode(post_data).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def send(server, door, key):
        if door == "api":
            headers = {**api_headers, "Idempotency-Key": key}
            return server.request("POST", "/api/cases", api_body, headers)
        headers = {**form, "Idempotency-Key": key}
        return server.request("POST", f"{BASE}/requests.json", open311_body, headers)

    sent = [("api", key) for key in API_KEYS] + [("open311", key) for key in OPEN311_KEYS]

    # 1. Four reports reach the server; each stalls with its rows written, uncommitted.
    server = Server(stall=60)
    lost: list = []

    def doomed(door, key):
        try:
            lost.append(send(server, door, key))
        except OSError as exc:  # the connection dies with the server
            lost.append(exc)

    threads = [threading.Thread(target=doomed, args=item) for item in sent]
    try:
        for thread in threads:
            thread.start()
        wait_for(lambda: open_transactions() == len(sent), 30, "the intakes did not stall")
        assert not Case.objects.exists()  # written but not committed
    finally:
        server.kill()
    for thread in threads:
        thread.join(timeout=10)
    assert all(isinstance(outcome, OSError) for outcome in lost), lost
    wait_for(lambda: open_transactions() == 0, 10, "PostgreSQL kept the dead transactions")
    assert (Case.objects.count(), IntakeKey.objects.count(), ServiceRequest.objects.count()) == (
        0,
        0,
        0,
    )

    # 2. A new server; every client retries, and each retry races a second copy of itself.
    server = Server()
    answers: dict = {item: [] for item in sent}

    def retry(door, key):
        status, body = send(server, door, key)
        answers[(door, key)].append((status, json.loads(body)))

    try:
        threads = [threading.Thread(target=retry, args=item) for item in sent for _copy in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for item in sent:  # and once more, after the races
            retry(*item)
    finally:
        server.kill()

    numbers = {}
    for (door, key), replies in answers.items():
        statuses = sorted(status for status, _body in replies)
        if door == "api":
            assert statuses == [200, 200, 201], (key, replies)
            found = {body["number"] for _status, body in replies}
        else:
            assert statuses == [200, 200, 200], (key, replies)
            found = {body[0]["service_request_id"] for _status, body in replies}
            assert len({body[0]["token"] for _status, body in replies}) == 1
        assert len(found) == 1, (key, replies)
        numbers[key] = found.pop()
    assert len(set(numbers.values())) == len(sent)
    assert sorted(Case.objects.values_list("number", flat=True)) == sorted(numbers.values())
    assert IntakeKey.objects.count() == len(sent)
    assert sorted(ServiceRequest.objects.values_list("case__number", flat=True)) == sorted(
        numbers[key] for key in OPEN311_KEYS
    )
    assert CaseEvent.objects.filter(action="register").count() == len(sent)
