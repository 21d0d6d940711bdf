"""``civicgrid process-alerts``: process stored alert deliveries that are still pending."""

from collections import Counter
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils.translation import gettext as _
from tqdm import tqdm

from civicgrid.alerts import services
from civicgrid.alerts.adapters import AlertInvalid


class Command(BaseCommand):
    help = (
        "Process alert deliveries that were stored but not processed (a crash, a database "
        "hiccup, a misconfigured source now fixed). Safe to run again and to run several "
        "at once: each delivery is claimed before it is processed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000, help=_("at most this many"))
        parser.add_argument(
            "--older-than",
            type=float,
            default=30.0,
            help=_("seconds: leave fresher deliveries to the request that stored them"),
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=services.MAX_ATTEMPTS,
            help=_("skip deliveries that already failed this many times"),
        )
        parser.add_argument("--no-progress", action="store_true", help=_("no progress bar"))

    def handle(self, *args, limit, older_than, max_attempts, no_progress, **options):
        ids = services.pending(
            limit, older_than=timedelta(seconds=older_than), max_attempts=max_attempts
        )
        outcomes: Counter = Counter()
        for pk in tqdm(ids, disable=no_progress or not ids, desc=_("alerts")):
            try:
                delivery = services.process(pk)
            except AlertInvalid:
                outcomes["rejected"] += 1
                continue
            except DatabaseError as exc:  # the database went away: stop, retry later
                self.stderr.write(_("Stopped: %(e)s") % {"e": exc})
                break
            outcomes[delivery.status] += 1
        self.stdout.write(
            _("%(n)d pending deliveries: %(parts)s")
            % {
                "n": len(ids),
                "parts": ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "—",
            }
        )
