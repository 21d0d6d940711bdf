"""Mark open cases past their step deadline; run by a scheduler (cron, systemd timer)."""

from django.core.management.base import BaseCommand

from civicgrid.cases.services import mark_overdue


class Command(BaseCommand):
    help = "Mark every open case past its deadline once, write the event and notify."

    def handle(self, *args, **options):
        marked = mark_overdue()
        self.stdout.write(f"{marked} case(s) marked overdue")
