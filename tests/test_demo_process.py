"""Stopping ``civicgrid demo`` stops the workers it started (triage, notifications, exports,
supervision; #10 defect 19): a real demo in a process of its own, stopped as a user (Ctrl+C) or a
service manager would (SIGTERM, then SIGKILL). SIGHUP takes SIGTERM's path."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("demo")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
@pytest.mark.parametrize(
    "signum",
    [signal.SIGTERM, signal.SIGINT, signal.SIGKILL],
    ids=["SIGTERM", "SIGINT", "SIGKILL"],
)
def test_stopping_the_demo_stops_its_workers(data_dir, signum):
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["CIVICGRID_DATA_DIR"] = str(data_dir)
    demo = subprocess.Popen(
        [sys.executable, "-m", "civicgrid.cli", "demo", "--port", str(port)],
        cwd=data_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # As from a terminal: a job started in the background by a non-interactive
        # shell (CI under nohup, say) inherits SIGINT ignored, and Ctrl+C would not
        # reach the demo at all.
        preexec_fn=_as_from_a_terminal,
    )
    try:
        deadline = time.monotonic() + 240
        workers: list[int] = []
        while time.monotonic() < deadline and demo.poll() is None:
            workers = _children(demo.pid)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                time.sleep(0.5)
                continue
            if len(workers) == 5:
                break
            time.sleep(0.5)
        assert demo.poll() is None, "the demo ended by itself"
        assert len(workers) == 5, (
            "the demo serves with a triage worker, a sender, an exporter, the supervision rule "
            "and the assessment rollup"
        )
        assert all(_running(pid) for pid in workers)

        demo.send_signal(signum)
        assert demo.wait(timeout=30) is not None
        time.sleep(0.5)
        assert [pid for pid in workers if _running(pid)] == []
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()


def _as_from_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
