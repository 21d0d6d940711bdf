"""Every department summoned so far sees its case through a ``CaseAccess`` row, as the
whistle now writes one: the case scope no longer reads summonses."""

from django.db import migrations


def grant_summoned(apps, schema_editor):
    Summons = apps.get_model("gridwork", "Summons")
    CaseAccess = apps.get_model("cases", "CaseAccess")
    have = set(
        CaseAccess.objects.filter(reason="summoned").values_list("case_id", "department_id")
    )
    rows = []
    for summons in Summons.objects.order_by("summoned_at", "pk"):
        key = (summons.case_id, summons.department_id)
        if key in have:
            continue
        have.add(key)
        rows.append(
            CaseAccess(
                case_id=summons.case_id,
                department_id=summons.department_id,
                reason="summoned",
                created_at=summons.summoned_at,
                created_by_id=summons.summoned_by_id,
            )
        )
    CaseAccess.objects.bulk_create(rows, batch_size=500)


def forget_summoned(apps, schema_editor):
    apps.get_model("cases", "CaseAccess").objects.filter(reason="summoned").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_case_access"),
        ("gridwork", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_summoned, forget_summoned)]
