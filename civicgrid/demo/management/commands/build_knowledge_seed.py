"""``civicgrid build-knowledge-seed replies.csv``: rebuild the demo knowledge base file.

A development step: it groups the TipDM 2020 replies by topic and writes
``civicgrid/demo/data/knowledge_seed.json`` (see ``civicgrid/demo/knowledge_seed.py``). The demo
loads that file; nothing reads the CSV at run time.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicgrid.demo import knowledge_seed as seed


class Command(BaseCommand):
    help = "Group the TipDM 2020 replies by topic into civicgrid/demo/data/knowledge_seed.json."

    def add_arguments(self, parser):
        parser.add_argument("source", help=_("the replies CSV (留言编号, 留言主题, 答复意见 …)"))
        parser.add_argument(
            "--output", default=str(seed.SEED_FILE), help=_("where to write the seed JSON")
        )

    def handle(self, *args, source, output, **options):
        path = Path(source)
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        started = time.monotonic()

        def step(label: str) -> None:
            self.stdout.write(f"· {label} ({time.monotonic() - started:.0f} s)")

        try:
            built = seed.build(path, step)
        except (KeyError, ValueError) as exc:
            raise CommandError(
                _("%(path)s is not a replies file: %(problem)s") % {"path": path, "problem": exc}
            ) from exc
        seed.write(built, Path(output))
        size = Path(output).stat().st_size
        self.stdout.write(
            _("%(entries)d entries from %(letters)d letters (%(groups)d topic groups), %(kb)d kB.")
            % {
                "entries": len(built["entries"]),
                "letters": built["letters"],
                "groups": built["groups"],
                "kb": size // 1024,
            }
        )
