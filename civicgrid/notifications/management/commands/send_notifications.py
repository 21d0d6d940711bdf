"""``civicgrid send-notifications``: send e-mails, texts and webhooks, with retries."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.translation import gettext as _

from civicgrid.notifications import sender
from civicgrid.notifications.models import DeliveryStatus


class Command(BaseCommand):
    help = (
        "Send pending notification deliveries (e-mail, SMS, department webhooks) and "
        "retry failed ones. Runs until stopped; several may run at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help=_("one pass, then stop"))
        parser.add_argument(
            "--interval", type=float, default=2.0, help=_("seconds between passes when idle")
        )
        parser.add_argument(
            "--batch", type=int, default=sender.BATCH, help=_("deliveries per pass")
        )

    def handle(self, *args, once, interval, batch, **options):
        if batch < 1 or interval <= 0:
            self.stderr.write(_("--batch must be at least 1 and --interval above 0."))
            raise SystemExit(2)
        stop = []
        signal.signal(signal.SIGTERM, lambda *_a: stop.append(True))
        if not once:
            self.stdout.write(_("Notification sender started; Ctrl+C stops it."))
        try:
            while not stop:
                outcomes = sender.run_once(batch)
                if outcomes:
                    self._report(outcomes)
                if once:
                    return
                # A long-running process: let Django drop broken or aged connections.
                close_old_connections()
                if sum(outcomes.values()) < batch:
                    time.sleep(interval)
        except KeyboardInterrupt:
            pass

    def _report(self, outcomes) -> None:
        parts = [
            f"{DeliveryStatus(status).label}: {count}" for status, count in sorted(outcomes.items())
        ]
        self.stdout.write(
            _("Processed %(n)d deliveries — %(parts)s")
            % {"n": sum(outcomes.values()), "parts": "; ".join(parts)}
        )
