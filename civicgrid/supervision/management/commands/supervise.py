"""``civicgrid supervise``: one pass of the escalation rule (cron, a systemd timer), or a
pass every ``--every`` seconds until stopped (the demo runs it so)."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.translation import gettext as _

from civicgrid.supervision.services import supervise


def _sleep(seconds: float, stop: list) -> None:
    """Sleep, but wake within a fraction of a second of SIGTERM."""
    until = time.monotonic() + seconds
    while not stop and time.monotonic() < until:
        time.sleep(min(0.2, max(0.0, until - time.monotonic())))


class Command(BaseCommand):
    help = (
        "Close the orders of closed cases, raise orders not responded to in time, and give "
        "the units of late cases their urging (催办) or supervision (督办) orders. Idempotent; "
        "several may run at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="seconds between passes; 0: one pass"
        )

    def handle(self, *args, every, **options):
        if every < 0:
            self.stderr.write(_("--every must be 0 or more."))
            raise SystemExit(2)
        stop: list[bool] = []
        signal.signal(signal.SIGTERM, lambda *_a: stop.append(True))
        verbose = options["verbosity"] >= 1 and not every
        try:
            while not stop:
                outcomes = supervise(progress=self.stdout.write if verbose else None)
                line = _(
                    "Orders issued: %(issued)d, raised: %(raised)d, marked overdue: "
                    "%(overdue)d, closed: %(closed)d."
                ) % {
                    "issued": outcomes["issued"],
                    "raised": outcomes["raised_response"] + outcomes["raised_late_case"],
                    "overdue": outcomes["overdue"],
                    "closed": outcomes["closed"],
                }
                if verbose or sum(outcomes.values()):
                    self.stdout.write(line)
                if not every:
                    return
                close_old_connections()
                _sleep(every, stop)
        except KeyboardInterrupt:
            pass
