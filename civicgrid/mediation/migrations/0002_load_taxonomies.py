"""The dispute taxonomy and the lawful resolution methods, as rows (see data/SOURCES.md)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    DisputeType = apps.get_model("mediation", "DisputeType")
    ResolutionMethod = apps.get_model("mediation", "ResolutionMethod")
    with open(DATA / "dispute_types_2level.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    by_code = {}
    for row in rows:
        parent = by_code.get(row["parent"].strip()) if row["parent"].strip() else None
        by_code[row["code"]], _created = DisputeType.objects.update_or_create(
            code=row["code"].strip(), defaults={"name": row["name"].strip(), "parent": parent}
        )
    lines = (DATA / "resolution_methods_15.txt").read_text(encoding="utf-8").splitlines()
    for position, name in enumerate(n.strip() for n in lines if n.strip()):
        ResolutionMethod.objects.update_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_disputes_and_registry")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
