"""Counters kept by database triggers (open map counts, the screen's counts)."""

from collections.abc import Callable

from django.db import connections


def reinstall_on_sqlite(using: str, table: str, install: Callable[..., None]) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it: once ``table`` exists,
    put its triggers back (``install`` also recounts) after every migrate. PostgreSQL
    keeps them, so nothing happens there."""
    connection = connections[using]
    if connection.vendor == "sqlite" and table in connection.introspection.table_names():
        install(connection=connection)
