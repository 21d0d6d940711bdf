"""Each delivery gets a stable id receivers de-duplicate on (issue #8, item 17).

Added in three steps (nullable, filled, then unique), as Django's documentation shows
for a unique field on a table that already has rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_outside_channels"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="uid",
            field=models.UUIDField(editable=False, null=True, verbose_name="delivery id"),
        ),
    ]
