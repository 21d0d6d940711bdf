"""Seed Zhangye's court-diversion figures (``mediation.figures``) and rebuild the rollup."""

from django.core.management.base import BaseCommand

from civicgrid.mediation import figures
from civicgrid.regions.models import Region


class Command(BaseCommand):
    help = "Seed the Zhangye court-diversion figures (4,248 at 62.77 %, 1,970 at 56.92 %)."

    def add_arguments(self, parser):
        parser.add_argument("--region", help="district code the disputes belong to")

    def handle(self, *args, region=None, **options):
        place = Region.objects.filter(code=region).first() if region else None

        def progress(flow):
            self.stdout.write(
                f"{flow.organisation}: {flow.accepted} accepted, {flow.succeeded} succeeded "
                f"(published {flow.published_rate} %)"
            )

        figures.seed(place, progress=progress)
        self.stdout.write("rollup rebuilt")
