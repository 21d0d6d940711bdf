import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_fill_delivery_uid"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="uid",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="delivery id"
            ),
        ),
    ]
