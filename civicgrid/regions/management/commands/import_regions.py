"""civicgrid import-regions FILE.geojson [--datum gcj02]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicgrid.regions.datum import Datum
from civicgrid.regions.models import Level
from civicgrid.regions.services import ImportFailed, import_regions


class Command(BaseCommand):
    help = (
        "Import regions and grids from a GeoJSON FeatureCollection (properties: code, name, "
        "level, parent_code, grid_kind, households). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--datum",
            choices=Datum.values,
            default=Datum.WGS84,
            help="datum of the file's coordinates (stored as WGS84)",
        )
        parser.add_argument("--source", default="", help="where the data comes from")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            counts = import_regions(
                path,
                datum=options["datum"],
                source_label=options["source"] or path.name,
                progress=True,
            )
        except ImportFailed as exc:
            raise CommandError(
                ngettext(
                    "%(n)d problem, nothing imported:",
                    "%(n)d problems, nothing imported:",
                    len(exc.errors),
                )
                % {"n": len(exc.errors)}
                + "\n"
                + "\n".join(exc.errors)
            ) from exc
        summary = ", ".join(f"{Level(level).label}: {n}" for level, n in counts.items())
        self.stdout.write(self.style.SUCCESS(_("Imported %(summary)s") % {"summary": summary}))
