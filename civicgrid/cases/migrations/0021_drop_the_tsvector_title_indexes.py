"""The title word indexes over ``to_tsvector('simple', title_words)`` (0013, 0019): since
0020 the search reads the ones over ``string_to_array(title_words, ' ')``. Each GIN index
costs every intake an update."""

from django.db import migrations

OLD = {
    "cases_case_title_words": "USING gin (to_tsvector('simple'::regconfig, title_words))",
    "cases_case_open_title_words": "USING gin (to_tsvector('simple'::regconfig, title_words)) "
    "WHERE NOT (status IN ('merged', 'closed'))",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in OLD:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, how in OLD.items():
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON cases_case {how}"
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0020_title_word_lists_and_status_region_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
