"""``civicgrid due-visits --month 2026-12``: the month's due visits (safe to run again)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from civicgrid.fieldwork.calendar import month_of, parse_month
from civicgrid.fieldwork.services import generate_due_visits


class Command(BaseCommand):
    help = "Create the visits due in a month, by each household category's schedule."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: this month)")

    def handle(self, *args, month=None, **options):
        try:
            first = parse_month(month) if month else month_of(timezone.localdate())
        except ValueError:
            raise CommandError("--month is YYYY-MM, e.g. 2026-12") from None
        started = time.perf_counter()
        created = generate_due_visits(first)
        took = time.perf_counter() - started
        self.stdout.write(f"{first:%Y-%m}: {created} visits created in {took:.1f} s")
