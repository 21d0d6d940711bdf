"""110's account becomes an integration account of kind ``police_110`` (issue #8, item 12).

110 used to divert calls with a full district operator's account: it could read every
case and close them. The accounts that are 110's system become integration accounts,
keeping their regions, losing any password: the demo's ``police110`` (which had the
demo password), and any other account that is not staff or an administrator, holds an
API token named for 110 or has registered diverted calls, and has never registered a
case through any other channel (a person would have).

The idempotency keys of 110 diversions were kept under one sender, "110"; they move to
the account that sent them, so one 110 account never finds another's case by key.
"""

from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.db.models import Q


def narrow(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    if not any(field.name == "role" for field in User._meta.get_fields()):
        # Run again on a database that ran it as ``hotline`` 0002 and has moved on to
        # role grants since: its accounts were narrowed then.
        return
    Case = apps.get_model("cases", "Case")
    ApiToken = apps.get_model("accounts", "ApiToken")
    diverted = Case.objects.filter(channel="police_diversion").values("created_by")
    tokens = ApiToken.objects.filter(name__contains="110").values("user")
    elsewhere = Case.objects.exclude(channel="police_diversion").exclude(created_by=None)
    systems = (
        User.objects.filter(
            Q(username="police110", role="operator")
            | (
                (Q(pk__in=diverted) | Q(pk__in=tokens))
                & Q(is_staff=False, is_superuser=False)
                & ~Q(role__in=["admin", "integration"])
                & ~Q(pk__in=elsewhere.values("created_by"))
            )
        )
    )
    for user in systems:
        user.role, user.integration, user.department = "integration", "police_110", None
        user.is_staff = user.is_superuser = False
        user.password = make_password(None)
        user.save()
    IntakeKey = apps.get_model("cases", "IntakeKey")
    for key in IntakeKey.objects.filter(owner="110").select_related("case"):
        if key.case.created_by_id is not None:
            key.owner = f"user:{key.case.created_by_id}"
            key.save(update_fields=["owner"])


class Migration(migrations.Migration):
    # It reads the user's single role, which moves into role grants.
    run_before = [("accounts", "0004_role_grants")]

    dependencies = [
        ("accounts", "0003_integration_accounts"),
        ("cases", "0004_closed_recent_index"),
        ("diversion", "0001_initial"),
    ]

    operations = [migrations.RunPython(narrow, migrations.RunPython.noop)]
