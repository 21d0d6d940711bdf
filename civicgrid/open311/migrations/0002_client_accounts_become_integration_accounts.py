"""Open311 client systems act as integration accounts (issue #8, item 12).

A client system used to act as an operator: it could read every case of its district,
and its key's account could close them. Each client's account becomes an integration
account of kind ``open311`` (it had no business as an operator), keeping its regions.
An account that is a person's (it can sign in, is staff, or an administrator) or
another system's is not touched: the client gets an integration account of its own,
with the same regions, so nobody is locked out.
"""

from django.contrib.auth.hashers import make_password
from django.db import migrations


def _a_system(user) -> bool:
    return (
        user.password.startswith("!")  # Django's unusable password
        and not (user.is_staff or user.is_superuser or user.role == "admin")
        and user.role != "integration"
    )


def _own_account(User, client, person):
    username, n = f"open311-{client.pk}", 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"open311-{client.pk}-{n}"
    account = User.objects.create(
        username=username,
        first_name=client.name[:150],
        role="integration",
        integration="open311",
        password=make_password(None),
    )
    account.regions.set(person.regions.all())
    return account


def narrow(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    ClientSystem = apps.get_model("open311", "ClientSystem")
    for client in ClientSystem.objects.select_related("user").order_by("pk"):
        user = User.objects.get(pk=client.user_id)  # fresh: an earlier client may share it
        if user.role == "integration" and user.integration == "open311":
            continue
        if _a_system(user):
            User.objects.filter(pk=user.pk).update(
                role="integration", integration="open311", department=None
            )
        else:
            client.user = _own_account(User, client, user)
            client.save(update_fields=["user"])


class Migration(migrations.Migration):
    # It reads the user's single role, which moves into role grants.
    run_before = [("accounts", "0004_role_grants")]

    dependencies = [
        ("accounts", "0003_integration_accounts"),
        ("open311", "0001_initial"),
    ]

    operations = [migrations.RunPython(narrow, migrations.RunPython.noop)]
