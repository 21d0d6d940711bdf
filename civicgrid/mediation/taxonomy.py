"""Load the reference rows (``data/``, sources in ``data/SOURCES.md``): the two-level
dispute taxonomy and the lawful resolution methods. Idempotent; the migration and the
demo call it."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def load_taxonomies(apps=None) -> None:
    """``apps``: a migration's app registry (historical models); None: the current ones."""
    if apps is None:
        from django.apps import apps
    dispute_type = apps.get_model("mediation", "DisputeType")
    method = apps.get_model("mediation", "ResolutionMethod")
    with open(DATA / "dispute_types_2level.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    by_code: dict[str, object] = {}
    for row in rows:
        code, parent_code = row["code"].strip(), row["parent"].strip()
        by_code[code], _created = dispute_type.objects.update_or_create(
            code=code, defaults={"name": row["name"].strip(), "parent": by_code.get(parent_code)}
        )
    lines = (DATA / "resolution_methods_15.txt").read_text(encoding="utf-8").splitlines()
    for position, name in enumerate(n.strip() for n in lines if n.strip()):
        method.objects.update_or_create(name=name, defaults={"position": position})
