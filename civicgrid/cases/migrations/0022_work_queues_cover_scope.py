"""The work queues' indexes carry what their scope and counts read (docs/performance.md,
"The work queues").

The triage queue's and the callbacks' partial indexes gain (``INCLUDE``) the case's
scope columns — region and centre paths, centre, author, main department — and what
their filters read (urgency, placement, warning time; status, next try, rating); a new
small one holds the unsatisfied callbacks. Each page's count then reads its index alone:
at 3 M cases a count of 10,000 waiting cases visited as many rows of the table.

On PostgreSQL each index is built ``CONCURRENTLY`` (the cases stay writable; the
migration is not atomic) under a new name, the old one dropped, the new renamed; about
20 s per index at 3 M cases. SQLite has no ``INCLUDE``: its indexes are made again alike.
"""

from django.db import migrations, models

REPLACED = ("cases_case_triage_order", "cases_case_callback_order")
SCOPE = ("region_path", "owner_path", "owner_region", "created_by", "main_department")
INDEXES = [
    models.Index(
        models.Case(
            models.When(then=models.Value(0), urgency="urgent"),
            models.When(then=models.Value(1), urgency="same_day"),
            default=models.Value(2),
            output_field=models.IntegerField(),
        ),
        models.F("due_at"),
        models.F("created_at"),
        models.F("id"),
        condition=models.Q(("status", "registered")),
        include=(*SCOPE, "urgency", "needs_placement", "warn_at"),
        name="cases_case_triage_order",
    ),
    models.Index(
        condition=models.Q(("status__in", ("verified", "rated"))),
        fields=["due_at", "created_at", "id"],
        include=(*SCOPE, "status", "callback_next_at", "rating"),
        name="cases_case_callback_order",
    ),
    models.Index(
        condition=models.Q(("rating", "unsatisfied"), ("status", "rated")),
        fields=["due_at", "created_at", "id"],
        include=SCOPE,
        name="cases_case_unsatisfied",
    ),
]


def _build(schema_editor, case, index) -> None:
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {index.name}")
        schema_editor.add_index(case, index)
        return
    name = index.name
    building = index.clone()
    building.name = f"{name}_new"
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {building.name}")  # a stopped run
    schema_editor.add_index(case, building, concurrently=True)
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    schema_editor.execute(f"ALTER INDEX {building.name} RENAME TO {name}")


def build(apps, schema_editor):
    case = apps.get_model("cases", "Case")
    for index in INDEXES:
        _build(schema_editor, case, index)


def unbuild(apps, schema_editor):
    case = apps.get_model("cases", "Case")
    schema_editor.execute("DROP INDEX IF EXISTS cases_case_unsatisfied")
    old = {
        "cases_case_triage_order": models.Index(
            *INDEXES[0].expressions, condition=INDEXES[0].condition, name=REPLACED[0]
        ),
        "cases_case_callback_order": models.Index(
            fields=INDEXES[1].fields, condition=INDEXES[1].condition, name=REPLACED[1]
        ),
    }
    for index in old.values():
        _build(schema_editor, case, index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0021_drop_the_tsvector_title_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *(migrations.RemoveIndex(model_name="case", name=name) for name in REPLACED),
                *(migrations.AddIndex(model_name="case", index=index) for index in INDEXES),
            ],
            database_operations=[migrations.RunPython(build, unbuild, elidable=False)],
        )
    ]
