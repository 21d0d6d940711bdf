"""``civicgrid prepare-triage-data DIR``: rebuild the shipped message table and split."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicgrid.triage import dataset


class Command(BaseCommand):
    help = "Rebuild civicgrid/triage/data/messages.csv from the TipDM 2020 files in DIR."

    def add_arguments(self, parser):
        parser.add_argument("source", help=_("folder holding messages_full.csv and the others"))

    def handle(self, *args, source, **options):
        folder = Path(source)
        if not (folder / "messages_full.csv").is_file():
            raise CommandError(_("No messages_full.csv in %(path)s") % {"path": folder})
        counts = dataset.build(folder)
        self.stdout.write(_("%(train)s training and %(test)s held-out messages written.") % counts)
