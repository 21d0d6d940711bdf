"""Rebuild the monthly rollup of the mediation statistics from the raw disputes."""

from django.core.management.base import BaseCommand

from civicgrid.mediation import statistics


class Command(BaseCommand):
    help = "Recount every month of the mediation statistics (MediationMonth) from the disputes."

    def handle(self, *args, **options):
        def progress(done, total, month):
            self.stdout.write(f"{done}/{total} {month:%Y-%m}")

        rows = statistics.rebuild(progress)
        statistics.vacuum()
        self.stdout.write(f"{rows} rollup rows")
