"""civicgrid import-travel-table FILE.csv — the routing table (from_code,to_code,minutes)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicgrid.emergency.travel import MAX_ERRORS, ImportFailed, import_table


class Command(BaseCommand):
    help = (
        "Replace the emergency routing table with a CSV file: columns from_code, to_code, "
        "minutes (region codes of streets or communities). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            n = import_table(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise CommandError(_("The file is not UTF-8 text.")) from exc
        except ImportFailed as exc:
            lines = exc.errors[:MAX_ERRORS]
            if len(exc.errors) > MAX_ERRORS:
                lines.append(_("… and %(n)d more") % {"n": len(exc.errors) - MAX_ERRORS})
            raise CommandError(
                ngettext(
                    "%(n)d problem, nothing imported:",
                    "%(n)d problems, nothing imported:",
                    len(exc.errors),
                )
                % {"n": len(exc.errors)}
                + "\n"
                + "\n".join(lines)
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "%(n)d travel time imported into the routing table.",
                    "%(n)d travel times imported into the routing table.",
                    n,
                )
                % {"n": n}
            )
        )
