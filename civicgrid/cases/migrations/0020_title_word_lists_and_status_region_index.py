"""The case lists at 3 M cases (docs/performance.md, "Text search" and "Scope filters").

- The title word indexes over ``string_to_array(title_words, ' ')`` (GIN, all cases and
  the open ones) take the place of those over ``to_tsvector('simple', title_words)``
  (0013, 0019). A list newest first walks the date index and tests each case it passes;
  ``to_tsvector`` re-cut each title (~30-50 µs), splitting the stored words takes ~5 µs.
  The same holds for the rows a bitmap too large for ``work_mem`` reads again. The
  array index is also half the size (no positions).
- ``cases_case_status_region``: ``(status, region_path varchar_pattern_ops)``. A list
  of one status in a street read every case of that status and every case of the street
  and ANDed the two bitmaps; it now reads the range of the street within the status
  (the unplaced cases' ``region_path = ''`` within the status too).

PostgreSQL only (SQLite searches with ``LIKE``), built ``CONCURRENTLY`` (the migration is
not atomic): about a minute per index at 3 M cases, with intake going on. The indexes
they replace are dropped by the next migration (0021), so a database shared with the
code before this one can take this one alone (``migrate cases 0020``).
"""

from django.db import migrations

CREATE = (
    (
        "cases_case_title_word_list",
        "USING gin (string_to_array(title_words, ' '::text))",
    ),
    (
        "cases_case_open_title_word_list",
        "USING gin (string_to_array(title_words, ' '::text)) "
        "WHERE NOT (status IN ('merged', 'closed'))",
    ),
    (
        "cases_case_status_region",
        "(status, region_path varchar_pattern_ops)",
    ),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, how in CREATE:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON cases_case {how}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _how in CREATE:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0019_open_cases_newest_first_and_word_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
