"""Load official holidays and make-up workdays from chinese-calendar, then recompute."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicgrid.core.calendar import available_years, calendar_changed, load_official_year


class Command(BaseCommand):
    help = "Load a year's official holiday schedule (default: every year the package knows)."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int)

    def handle(self, *args, **options):
        years = options["years"] or [y for y in available_years() if y >= 2024]
        for year in years:
            try:
                written = load_official_year(year)
            except LookupError as exc:
                raise CommandError(
                    _(
                        "The installed chinese-calendar has no schedule for %(year)d yet; "
                        "upgrade it or enter the days in the admin."
                    )
                    % {"year": year}
                ) from exc
            self.stdout.write(
                _("%(year)d: %(n)d holidays and make-up workdays") % {"year": year, "n": written}
            )
        changed = calendar_changed(years)
        self.stdout.write(
            ngettext(
                "%(n)d open case deadline recomputed.",
                "%(n)d open case deadlines recomputed.",
                changed,
            )
            % {"n": changed}
        )
