import uuid

from django.db import migrations


def fill(apps, schema_editor):
    Delivery = apps.get_model("notifications", "Delivery")
    for pk in Delivery.objects.filter(uid__isnull=True).values_list("pk", flat=True).iterator():
        Delivery.objects.filter(pk=pk).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_delivery_uid"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
