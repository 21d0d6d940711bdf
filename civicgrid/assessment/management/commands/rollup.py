"""``civicgrid rollup``: fold the new case events into the assessment figures (one pass,
or one every ``--every`` seconds), or rebuild one month from the events."""

import re
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils.translation import gettext as _
from tqdm import tqdm

from civicgrid.assessment.rollup import rebuild_month, roll_up


class Command(BaseCommand):
    help = (
        "Fold the case events written since the last run into the daily figures of the "
        "assessment (incremental, idempotent), or rebuild one month with --rebuild --month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild one month")
        parser.add_argument("--month", help="the month to rebuild, YYYY-MM")
        parser.add_argument(
            "--every", type=float, default=0, help="seconds between passes; 0: one pass"
        )

    def handle(self, *args, rebuild, month, every, **options):
        quiet = options["verbosity"] < 1 or every
        if rebuild:
            found = re.fullmatch(r"(\d{4})-(\d{2})", month or "")
            if not found or not 1 <= int(found[2]) <= 12:
                raise CommandError(_("Give the month to rebuild as --month YYYY-MM."))
            bar = tqdm(unit=_("cases"), disable=bool(quiet))
            cases = rebuild_month(
                int(found[1]), int(found[2]), progress=bar.update, total=_total(bar)
            )
            bar.close()
            self.stdout.write(
                _("Rebuilt %(month)s from the events of %(cases)d cases.")
                % {"month": month, "cases": cases}
            )
            return
        if month:
            raise CommandError(_("--month goes with --rebuild."))
        if every < 0:
            raise CommandError(_("--every must be 0 or more."))
        stop: list[bool] = []
        signal.signal(signal.SIGTERM, lambda *_a: stop.append(True))
        try:
            while not stop:
                bar = tqdm(unit=_("events"), disable=bool(quiet))
                read = roll_up(progress=bar.update, total=_total(bar))
                bar.close()
                if not every or read:
                    self.stdout.write(_("Events folded in: %(read)d.") % {"read": read})
                if not every:
                    return
                close_old_connections()
                until = time.monotonic() + every
                while not stop and time.monotonic() < until:
                    time.sleep(0.2)
        except KeyboardInterrupt:
            pass


def _total(bar):
    def total(n):
        bar.total = n
        bar.refresh()

    return total
