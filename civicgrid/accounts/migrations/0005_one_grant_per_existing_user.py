"""Each existing user gets one grant from its role, regions and department: what they
may do does not change (``tests/test_role_grants_equivalence`` walks the old matrix)."""

from django.db import migrations


def grant_each_user(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    RoleGrant = apps.get_model("accounts", "RoleGrant")
    for user in User.objects.prefetch_related("regions").order_by("pk"):
        if RoleGrant.objects.filter(user=user).exists():
            continue
        grant = RoleGrant.objects.create(
            user=user, role=user.role, department_id=user.department_id
        )
        grant.regions.set(user.regions.all())


def back_to_one_role(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    RoleGrant = apps.get_model("accounts", "RoleGrant")
    for user in User.objects.order_by("pk"):
        grant = RoleGrant.objects.filter(user=user).order_by("pk").first()
        if grant is None:
            continue
        user.role, user.department_id = grant.role, grant.department_id
        user.save(update_fields=["role", "department"])
        user.regions.set(grant.regions.all())


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_role_grants"),
    ]

    operations = [migrations.RunPython(grant_each_user, back_to_one_role)]
