"""civicgrid import-gazetteer FILE.csv|FILE.xlsx [--crs gcj02] [--replace] [--skip-bad-rows]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicgrid.regions.datum import Datum
from civicgrid.regions.gazetteer_import import MAX_ERRORS, ImportFailed, import_places


def listed(errors: list[str]) -> str:
    """The first problems, one a line, and how many more there are."""
    lines = errors[:MAX_ERRORS]
    if len(errors) > MAX_ERRORS:
        lines.append(_("… and %(n)d more") % {"n": len(errors) - MAX_ERRORS})
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Import gazetteer entries (places: name, kind, lon, lat, optional region code and "
        "aliases) from a CSV or Excel (.xlsx) file. All or nothing; importing again updates."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--crs",
            choices=Datum.values,
            default=Datum.WGS84,
            help="datum of the file's coordinates (stored as WGS84)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="remove the entries an earlier import of the same source has and this file not",
        )
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="import the good rows, list the bad ones"
        )
        parser.add_argument(
            "--source", default="", help="where the data comes from (default: the file name)"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            result = import_places(
                path.read_bytes(),
                datum=options["crs"],
                source=options["source"] or path.name,
                replace=options["replace"],
                skip_bad_rows=options["skip_bad_rows"],
                progress=options["verbosity"] > 0,
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
                + listed(exc.errors)
            ) from exc
        if result.skipped:
            self.stderr.write(
                ngettext("%(n)d bad row skipped:", "%(n)d bad rows skipped:", len(result.skipped))
                % {"n": len(result.skipped)}
                + "\n"
                + listed(result.skipped)
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Gazetteer: %(created)d added, %(updated)d updated, %(unchanged)d unchanged, "
                    "%(removed)d removed."
                )
                % vars(result)
            )
        )
