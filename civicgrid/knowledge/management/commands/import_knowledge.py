"""``civicgrid import-knowledge FILE``: a city's own knowledge-base entries from a CSV file.

Every line is checked first; if any is bad, each bad line is reported with its number
and nothing is imported.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from civicgrid.knowledge import importing, services

BATCH = 500


class Command(BaseCommand):
    help = (
        "Import knowledge-base entries from a CSV file with the header "
        "question,answer,category_code,department_code,valid_from,valid_to,source."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the CSV file (UTF-8)"))
        parser.add_argument("--no-progress", action="store_true", help=_("no progress bar"))

    def handle(self, *args, file, no_progress, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        try:
            with tqdm(desc=_("checking"), unit=_(" lines"), disable=no_progress) as bar:
                checked = importing.check_file(path, bar)
        except UnicodeDecodeError as exc:
            raise CommandError(_("%(path)s is not UTF-8 text.") % {"path": path}) from exc
        except csv.Error as exc:
            raise CommandError(
                _("%(path)s is not a CSV file: %(problem)s") % {"path": path, "problem": exc}
            ) from exc
        if checked.problems:
            for problem in checked.problems:
                self.stderr.write(str(problem))
            lines = len({p.line for p in checked.problems})
            raise CommandError(
                _("%(n)d bad lines: nothing was imported. Correct them and run again.")
                % {"n": lines}
            )
        if not checked.entries:
            raise CommandError(_("The file has no entries."))
        self._import(checked.entries, no_progress)

    def _import(self, entries, no_progress: bool) -> None:
        with (
            transaction.atomic(),
            tqdm(
                total=len(entries), desc=_("importing"), unit=_(" entries"), disable=no_progress
            ) as bar,
        ):
            for start in range(0, len(entries), BATCH):
                batch = entries[start : start + BATCH]
                services.create_entries(batch, actor=None, via=services.VIA_IMPORT)
                bar.update(len(batch))
        self.stdout.write(_("%(n)d entries imported.") % {"n": len(entries)})
