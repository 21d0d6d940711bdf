"""The loop of a long-running worker command (triage, notifications): work in batches,
sleep when idle, stop cleanly on SIGTERM or Ctrl+C. Several may run at once; each
batch claims its rows in the database."""

import signal
import time
from abc import ABC, abstractmethod
from collections import Counter

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.functional import Promise
from django.utils.translation import gettext as _


class WorkerCommand(BaseCommand, ABC):
    """Subclasses give ``default_batch``, ``started``, ``run_once`` and ``report``."""

    default_batch = 100
    started: str | Promise = ""

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help=_("one pass, then stop"))
        parser.add_argument(
            "--interval", type=float, default=2.0, help=_("seconds between passes when idle")
        )
        parser.add_argument(
            "--batch", type=int, default=self.default_batch, help=_("rows per pass")
        )

    @abstractmethod
    def run_once(self, batch: int) -> Counter:
        """Work one batch of at most ``batch`` rows; the outcomes counted."""

    @abstractmethod
    def report(self, outcomes: Counter) -> str:
        """One line saying what a batch did."""

    def handle(self, *args, once, interval, batch, **options):
        if batch < 1 or interval <= 0:
            self.stderr.write(_("--batch must be at least 1 and --interval above 0."))
            raise SystemExit(2)
        stop = []
        signal.signal(signal.SIGTERM, lambda *_a: stop.append(True))
        if not once:
            self.stdout.write(str(self.started))
        try:
            while not stop:
                outcomes = self.run_once(batch)
                if outcomes:
                    self.stdout.write(self.report(outcomes))
                if once:
                    return
                # A long-running process: let Django drop broken or aged connections.
                close_old_connections()
                if sum(outcomes.values()) < batch:
                    time.sleep(interval)
        except KeyboardInterrupt:
            pass
