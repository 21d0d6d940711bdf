"""The hot-issue window's document frequencies, shared through the database.

``HotIssueGram`` holds, per n-gram, how many reports of the window hold it, and
``HotIssueRefresh.documents`` how many reports were counted: every block, every run and
every worker process reads the same IDF (``hotissues.Idf``). A full refresh counts the
window again (``rebuild``); an incremental one adds the new cases and takes away the
cases that left the window (``add``), in one set-based statement.
"""

from collections import Counter
from collections.abc import Iterable

from django.db import connection

from .hotissues import Idf, Report, grams_of
from .models import HotIssueGram

# Rows per statement (SQLite allows 32,766 parameters in one).
CHUNK = 5000


def counted(reports: Iterable[Report]) -> tuple[Counter, int]:
    """The document frequency of every n-gram of ``reports``, and how many there were."""
    counts: Counter[str] = Counter()
    n = 0
    for report in reports:
        counts.update(grams_of(report))
        n += 1
    return counts, n


def rebuild(counts: Counter) -> None:
    """Put ``counts`` in place of the table (a full refresh)."""
    table = HotIssueGram._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} (gram, documents) FROM STDIN") as copy:
                for row in counts.items():
                    copy.write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {table} (gram, documents) VALUES (%s, %s)",  # noqa: S608
            list(counts.items()),
        )


def add(delta: Counter) -> None:
    """Add ``delta`` (negative for reports that left) to the table, in one statement on
    PostgreSQL (a few on SQLite); an n-gram counted by no report is removed."""
    changes = [(g, n) for g, n in sorted(delta.items()) if n]
    if not changes:
        return
    table = HotIssueGram._meta.db_table
    upsert = (
        f"INSERT INTO {table} AS t (gram, documents) {{rows}} "  # noqa: S608
        "ON CONFLICT (gram) DO UPDATE SET documents = t.documents + excluded.documents"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            grams, numbers = zip(*changes, strict=True)
            cursor.execute(
                upsert.format(rows="SELECT * FROM unnest(%s::varchar[], %s::int[])"),
                [list(grams), list(numbers)],
            )
        else:
            for start in range(0, len(changes), CHUNK):
                part = changes[start : start + CHUNK]
                values = ", ".join(["(%s, %s)"] * len(part))
                # SQLite needs a WHERE to read an INSERT … SELECT's ON CONFLICT right.
                cursor.execute(
                    upsert.format(rows=f"SELECT * FROM (VALUES {values}) WHERE true"),
                    [x for row in part for x in row],
                )
        if any(n < 0 for _g, n in changes):
            cursor.execute(f"DELETE FROM {table} WHERE documents <= 0")  # noqa: S608


def idf(reports: Iterable[Report], documents: int) -> Idf:
    """The shared IDF, read for the n-grams of ``reports`` only."""
    wanted = sorted(set().union(*(grams_of(r) for r in reports)))
    counts: dict[str, int] = {}
    if not wanted:
        return Idf(documents, counts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT gram, documents FROM {HotIssueGram._meta.db_table} "  # noqa: S608
                "WHERE gram = ANY(%s::varchar[])",
                [wanted],
            )
            counts.update(cursor.fetchall())
        return Idf(documents, counts)
    rows = HotIssueGram.objects.values_list("gram", "documents")
    for start in range(0, len(wanted), CHUNK):
        counts.update(rows.filter(gram__in=wanted[start : start + CHUNK]))
    return Idf(documents, counts)
