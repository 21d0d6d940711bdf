"""``civicgrid issue-token USERNAME NAME``: an API token for another system, shown once."""

from django.core.management.base import BaseCommand, CommandError

from civicgrid.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print the key (it is not stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. 'hotline system'")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        _token, raw = ApiToken.issue(user, name[:100])
        self.stdout.write(raw)
