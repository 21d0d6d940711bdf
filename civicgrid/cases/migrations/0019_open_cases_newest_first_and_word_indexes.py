"""Two indexes over the open cases only (~5 % of them at 3 M; docs/performance.md).

- ``cases_case_open_recent``: the open cases newest first. ``/api/cases?status_group=
  open&q=小区`` walked the date index over every case (parallel workers ran far past
  the page: 1.0-1.4 s at 3 M); it now walks the open cases only (26-56 ms).
- ``cases_case_open_title_words`` (PostgreSQL): the same request counts its hits (up
  to 10,000). PostgreSQL ANDed the word index over all titles with an open-cases index
  into a bitmap too large for ``work_mem``: it went lossy and re-cut ``to_tsvector`` for
  ~150,000 rows (2.4 s). This GIN index holds the open titles only, so the open hits
  come from it exactly (50-95 ms at 3 M). Its predicate is the open filter's
  (``search.CaseFilter``). SQLite: not made (its search stays LIKE).

About 20 s to build both at 3 M cases.
"""

from django.db import migrations, models

INDEX = "cases_case_open_title_words"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case "
        "USING gin (to_tsvector('simple'::regconfig, title_words)) "
        "WHERE NOT (status IN ('merged', 'closed'))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_inbox_order_covers_scope")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ("closed", "merged")), _negated=True),
                fields=["-created_at", "-id"],
                name="cases_case_open_recent",
            ),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
