"""``civicgrid seed-figures yicheng|zhangye --month YYYY-MM``: write a month of cases
with the totals a source article reports, then fold them into the figures."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from civicgrid.assessment.forms import parse_month
from civicgrid.assessment.indicators import indicators, percent
from civicgrid.assessment.rollup import roll_up
from civicgrid.assessment.seed import PLACES, places_in, seed
from civicgrid.assessment.services import month_bounds, month_moments
from civicgrid.cases.models import Case
from civicgrid.regions.models import Region


class Command(BaseCommand):
    help = (
        "Seed one month with the figures a source article reports (yicheng: 41,028 "
        "requests, 98.6 % satisfied; zhangye: 38,000 received, 37,000 closed), in bulk, and "
        "roll them up. --scale writes a smaller copy."
    )

    def add_arguments(self, parser):
        parser.add_argument("place", choices=sorted(PLACES))
        parser.add_argument("--month", required=True, help="YYYY-MM, a month with no case yet")
        parser.add_argument("--district", default="", help="region code; default: every grid")
        parser.add_argument("--scale", type=float, default=1.0, help="e.g. 0.01; default 1")

    def handle(self, *args, place, month, district, scale, **options):
        chosen = parse_month(month)
        if chosen is None:
            raise CommandError(_("Give the month as YYYY-MM."))
        if not 0 < scale <= 1:
            raise CommandError(_("--scale must be above 0 and at most 1."))
        region = None
        if district:
            region = Region.objects.filter(code=district).first()
            if region is None:
                raise CommandError(_("There is no region with code %(code)s.") % {"code": district})
        first, last = month_bounds(chosen)
        prefix = place[0].upper()
        if Case.objects.filter(number__startswith=f"{prefix}{chosen:%Y%m}-").exists():
            raise CommandError(_("This month is already seeded for this place."))
        # The figures printed (and compared with the article's) are the month's: other
        # cases in it would add to them.
        since, until = month_moments(first, last)
        if Case.objects.filter(created_at__gte=since, created_at__lt=until).exists():
            raise CommandError(_("That month already has cases; choose a month without any."))
        plan = PLACES[place].scaled(scale)
        quiet = options["verbosity"] < 1
        began = time.monotonic()
        with tqdm(total=plan.received, unit=_("cases"), disable=quiet) as bar:
            written = seed(plan, chosen, places_in(region), prefix=prefix, progress=bar.update)
        seeded = time.monotonic() - began
        with tqdm(unit=_("events"), disable=quiet) as bar:

            def total(n):
                bar.total = n

            roll_up(progress=bar.update, total=total)
        rolled = time.monotonic() - began - seeded
        row = indicators(first, last, "all", within_path=region.path if region else "")[0]
        self.stdout.write(
            _(
                "%(place)s %(month)s: %(cases)d cases written in %(seed).1f s, rolled up in "
                "%(roll).1f s. Received %(received)d, closed %(closed)d, satisfied "
                "%(satisfied)s."
            )
            % {
                "place": plan.label,
                "month": f"{chosen:%Y-%m}",
                "cases": written,
                "seed": seeded,
                "roll": rolled,
                "received": row.counts["received"],
                "closed": row.counts["closed"],
                "satisfied": percent(row.rates["satisfaction"]),
            }
        )
