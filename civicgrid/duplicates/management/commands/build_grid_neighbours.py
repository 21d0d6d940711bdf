"""civicgrid build-grid-neighbours"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from civicgrid.duplicates.neighbours import build_grid_neighbours


class Command(BaseCommand):
    help = (
        "Find which grids border which, from their polygons (duplicate search looks in a "
        "case's grid and its neighbours). Runs by itself after import-regions."
    )

    def handle(self, *args, **options):
        pairs = build_grid_neighbours(progress=True)
        self.stdout.write(
            self.style.SUCCESS(_("%(n)d pairs of neighbouring grids.") % {"n": pairs})
        )
