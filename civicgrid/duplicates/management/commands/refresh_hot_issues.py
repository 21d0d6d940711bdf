"""civicgrid refresh-hot-issues [--days 90]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicgrid.duplicates.hotissues import WINDOW_DAYS
from civicgrid.duplicates.services import refresh_hot_issues


class Command(BaseCommand):
    help = (
        "Recompute the hot issues (many people, the same problem, the same place) from "
        "recent cases. Safe to run from cron while the site serves."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=WINDOW_DAYS, help="cases of the last N days"
        )

    def handle(self, *args, **options):
        days = options["days"]
        if not 1 <= days <= 366:
            raise CommandError(_("--days must be between 1 and 366."))
        self.stdout.write(_("Clustering the cases of the last %(days)d days…") % {"days": days})
        found = refresh_hot_issues(days=days)
        for issue in found[:10]:
            self.stdout.write(f"  {issue.heat:8.2f}  {issue.reports:4d}  {issue.title}")
        self.stdout.write(self.style.SUCCESS(_("%(n)d hot issues.") % {"n": len(found)}))
