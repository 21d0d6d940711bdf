"""Trigram indexes for the case list's text search on PostgreSQL (#10).

``cases.search`` filters ``number__icontains | title__icontains``, which Django writes as
``UPPER(col::text) LIKE UPPER(%s)``; a GIN index with ``gin_trgm_ops`` on exactly those
expressions lets PostgreSQL answer ``LIKE '%…%'`` without reading every case. The
indexes need the ``pg_trgm`` extension: created here when the role may, otherwise the
migration says so and goes on without them (a DBA runs ``CREATE EXTENSION pg_trgm;``
and then ``civicgrid migrate cases 0008 && civicgrid migrate``). SQLite: nothing.
"""

import sys

from django.db import DatabaseError, migrations, transaction

INDEXES = {
    "cases_case_number_trgm": "number",
    "cases_case_title_trgm": "title",
}


def has_trigrams(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone():
            return True
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as error:
            sys.stderr.write(
                "\n  WARNING: no trigram indexes for the case text search: this database "
                f"role may not create the pg_trgm extension ({error}). Text search works "
                "but reads every case. Ask a DBA to run CREATE EXTENSION pg_trgm; then "
                "rerun this migration (README.md, Production).\n"
            )
            return False
    return True


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not has_trigrams(connection):
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON cases_case "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_case_exports")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
