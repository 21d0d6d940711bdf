"""``civicgrid early-warning``: raise the surge notices of one day (cron: hourly for today
so far, and once after midnight for yesterday)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.analytics.warning import MINIMUM, WINDOW, Rule, raise_notices
from civicgrid.regions.models import Level


class Command(BaseCommand):
    help = (
        "Compare each category's new cases in each area on a day with the mean + k·sd of "
        "the days before and raise a notice to the centre for each sharp rise. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD; today by default")
        parser.add_argument("--k", type=float, default=3.0, help="standard deviations (3)")
        parser.add_argument("--minimum", type=int, default=MINIMUM, help="fewest cases (5)")
        parser.add_argument("--window", type=int, default=WINDOW, help="baseline days (28)")
        parser.add_argument(
            "--level",
            default=Level.STREET,
            choices=[Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID],
        )

    def handle(self, *args, day, k, minimum, window, level, **options):
        try:
            on = date.fromisoformat(day) if day else timezone.localdate()
        except ValueError:
            raise CommandError(_("Enter days as YYYY-MM-DD.")) from None
        if k <= 0 or minimum < 1 or window < 7:
            raise CommandError(
                _("k must be above 0, the minimum at least 1, the window at least 7 days.")
            )
        raised = raise_notices(on, Rule(k=k, minimum=minimum, window=window, level=level))
        for notice in raised:
            self.stdout.write(
                f"{notice.day} {notice.region.name} {notice.category.name}: {notice.count}"
            )
        self.stdout.write(_("Surge notices raised: %(n)d.") % {"n": len(raised)})
