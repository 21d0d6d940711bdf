"""Two copies on the case row for indexed lists (docs/performance.md):

- ``owner_path``: the centre's region path, so a scope filter reads
  ``region_path LIKE 'p%' OR owner_path LIKE 'p%'`` from two indexes instead of joining
  every case to its centre; filled here with one UPDATE.
- ``title_words``: the title's words cut by jieba (``cases.words``), with a GIN index
  over ``to_tsvector('simple', title_words)`` on PostgreSQL, which finds two-character
  words (a trigram index cannot). Filled here in batches of 2,000 cases, each in its own
  transaction (the migration is not atomic: stopped half-way, it goes on where it
  stopped), printing its progress; about 1 s per 2,000 cases on a 2-core machine.
  SQLite: the column only (its search stays LIKE).
"""

import sys
import time

from django.db import migrations, models, transaction

BATCH = 2000
INDEX = "cases_case_title_words"


def fill_owner_paths(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Region = apps.get_model("regions", "Region")
    cases, regions = Case._meta.db_table, Region._meta.db_table
    with transaction.atomic(using=schema_editor.connection.alias):
        schema_editor.execute(
            f"UPDATE {cases} SET owner_path = COALESCE((SELECT path FROM {regions} r "
            f"WHERE r.id = {cases}.owner_region_id), '') WHERE owner_region_id IS NOT NULL"
        )


def fill_title_words(apps, schema_editor):
    from civicgrid.cases.words import title_words

    Case = apps.get_model("cases", "Case")
    alias = schema_editor.connection.alias
    todo = Case.objects.using(alias).filter(title_words="").exclude(title="")
    total = todo.count()
    if not total:
        return
    done, last, started = 0, 0, time.monotonic()
    table = Case._meta.db_table
    while True:
        batch = list(todo.filter(pk__gt=last).order_by("pk").values_list("pk", "title")[:BATCH])
        if not batch:
            break
        with transaction.atomic(using=alias), schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET title_words = %s WHERE id = %s",
                [(title_words(title), pk) for pk, title in batch],
            )
        done, last = done + len(batch), batch[-1][0]
        sys.stdout.write(
            f"\r  title words: {done:,} of {total:,} cases ({time.monotonic() - started:.0f} s)"
        )
        sys.stdout.flush()
    sys.stdout.write("\n")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case "
        "USING gin (to_tsvector('simple'::regconfig, title_words))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0012_indexes_for_the_overdue_scan_and_the_map"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="owner_path",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name="case",
            name="title_words",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_owner_paths, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(fill_title_words, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
