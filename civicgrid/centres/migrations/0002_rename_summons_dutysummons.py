"""centres.Summons becomes DutySummons: the gridwork app has a Summons (吹哨) of its own."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0001_rota_summons_co_parts"),
    ]

    operations = [migrations.RenameModel(old_name="Summons", new_name="DutySummons")]
