"""The dispute taxonomy and the lawful resolution methods, as rows (see data/SOURCES.md)."""

from django.db import migrations


def load(apps, schema_editor):
    from civicgrid.mediation.taxonomy import load_taxonomies

    load_taxonomies(apps)


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_disputes_and_registry")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
