"""The ``civicgrid`` command: ``civicgrid demo`` plus every Django management command.

``civicgrid import-regions FILE`` is ``manage.py import_regions FILE``: dashes in the
sub-command become underscores.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

MIGRATION_COMMANDS = {"migrate", "makemigrations", "showmigrations", "sqlmigrate", "flush"}


def _prepare_data_dir(data_dir: Path) -> None:
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    os.environ["CIVICGRID_DATA_DIR"] = str(data_dir)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()


def demo(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="civicgrid demo",
        description="Create the embedded database, load the demo district and serve it.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("CIVICGRID_DATA_DIR", str(Path.cwd() / "civicgrid-data")),
        help="folder for the SQLite database, uploads and the secret key",
    )
    parser.add_argument("--no-serve", action="store_true", help="set up only, do not serve")
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the triage worker, notification sender and export worker",
    )
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir).resolve()
    _prepare_data_dir(data_dir)
    _setup()
    from django.core.management import call_command

    from civicgrid.demo.load import load_demo, print_accounts

    print(f"civicgrid data folder: {data_dir}")
    call_command("migrate", interactive=False, verbosity=0)
    accounts = load_demo(progress=True)
    print_accounts(accounts)
    if args.no_serve:
        return
    # SIGTERM (a service manager) and SIGHUP (the terminal closed) end the demo as Ctrl+C
    # does: through ``finally``, which stops the workers.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    workers = [] if args.no_worker else _start_workers()
    print(f"\nOpen http://{args.host}:{args.port}/ — Ctrl+C stops the server.\n")
    try:
        call_command(
            "runserver", f"{args.host}:{args.port}", use_reloader=False, use_threading=True
        )
    finally:
        _stop_workers(workers)


def _stop(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _stop_workers(workers: list[subprocess.Popen]) -> None:
    """Stop what the demo started: asked first, killed if still running after 10 s."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    # One 10 s grace for all of them, not 10 s each: four slow workers must not keep
    # the demo 40 s after Ctrl+C.
    deadline = time.monotonic() + 10
    for worker in workers:
        try:
            worker.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _start_workers():
    """The background workers, each in its own process as in production: the triage
    worker (classifies and auto-dispatches new cases) and the notification sender
    (e-mail, SMS, webhooks; in-app notices need no worker), the export worker (long
    Excel exports), the supervision rule (催办/督办 of late cases, once a minute) and the
    assessment rollup (the new case events into the daily figures, once a minute)."""
    print(
        "Starting the triage worker, the notification sender, the export worker, "
        "the supervision rule and the assessment rollup."
    )
    return [
        subprocess.Popen(
            [sys.executable, "-m", "civicgrid.cli", *command],
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        for command in (
            ("triage-worker",),
            ("send-notifications",),
            ("export-worker",),
            ("supervise", "--every", "60"),
            ("rollup", "--every", "60"),
        )
    ]


def _die_with_parent() -> None:
    """In the worker, on Linux: SIGTERM when the demo ends, even killed (SIGKILL)."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "demo":
        demo(argv[1:])
        return
    if argv and not argv[0].startswith("-"):
        argv[0] = argv[0].replace("-", "_")
    if "DATABASE_URL" not in os.environ:
        _prepare_data_dir(Path(os.environ.get("CIVICGRID_DATA_DIR", Path.cwd() / "civicgrid-data")))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(["civicgrid", *argv])
    except DatabaseError:
        # ``migrate`` and its kin report their own errors, whatever the database's state.
        if (argv and argv[0] in MIGRATION_COMMANDS) or _database_ready():
            raise
        from django.utils.translation import gettext as _

        sys.stderr.write(
            _(
                "The database is not set up yet (or not up to date): run `civicgrid migrate`, "
                "or `civicgrid demo --no-serve` to set up the demo district as well.\n"
            )
        )
        sys.exit(1)


def _database_ready() -> bool:
    """Whether every migration is applied (false for a fresh checkout's empty database)."""
    from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        return not executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return False


if __name__ == "__main__":
    main()
