"""civicgrid refresh-hot-issues [--days 90] [--full]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicgrid.duplicates.hotissues import MAX_BLOCK, WINDOW_DAYS
from civicgrid.duplicates.services import refresh


class Command(BaseCommand):
    help = (
        "Bring the hot issues (many people, the same problem, the same place) up to date "
        "from the cases since the last run. Safe to run from cron while the site serves."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=WINDOW_DAYS, help="cases of the last N days"
        )
        parser.add_argument(
            "--full", action="store_true", help="cluster every block again (e.g. nightly)"
        )

    def handle(self, *args, **options):
        days = options["days"]
        if not 1 <= days <= 366:
            raise CommandError(_("--days must be between 1 and 366."))
        done = refresh(days=days, full=options["full"])
        if done.full:
            self.stdout.write(
                _("Clustered every block of the last %(days)d days.") % {"days": days}
            )
        else:
            self.stdout.write(
                _(
                    "%(cases)d new cases: %(attached)d joined an issue; "
                    "%(blocks)d blocks clustered again."
                )
                % {
                    "cases": done.new_cases,
                    "attached": done.attached,
                    "blocks": done.blocks_refreshed,
                }
            )
        if done.held_reports:
            self.stdout.write(
                _(
                    "%(held)d new reports like no hot issue of their block are held until "
                    "their block is clustered again (many of them, or a group of their own) "
                    "or the next --full run."
                )
                % {"held": done.held_reports}
            )
        for issue in done.issues[:10]:
            self.stdout.write(f"  {issue.heat_now:8.2f}  {issue.reports:4d}  {issue.title}")
        if done.capped_reports:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "%(reports)d older reports in %(blocks)d crowded blocks were not "
                        "clustered (only the newest %(max)d of a block are compared)."
                    )
                    % {
                        "reports": done.capped_reports,
                        "blocks": done.capped_blocks,
                        "max": MAX_BLOCK,
                    }
                )
            )
        self.stdout.write(self.style.SUCCESS(_("%(n)d hot issues.") % {"n": done.issues.count()}))
