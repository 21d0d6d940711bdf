"""A database that ran the old ``hotline`` app keeps its diversions under ``diversion``."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from civicgrid.cases.tests import factories as f
from civicgrid.diversion.models import Diversion

pytestmark = pytest.mark.django_db(transaction=True)

INITIAL = [("diversion", "0001_initial")]


def _back_to_hotline() -> None:
    """Undo ``diversion`` and make the database look as ``hotline`` left it."""
    with connection.schema_editor() as editor:
        editor.alter_db_table(Diversion, Diversion._meta.db_table, "hotline_diversion")
    recorder = MigrationRecorder(connection)
    recorder.migration_qs.filter(app="diversion").delete()
    for name in ("0001_initial", "0002_110_account_becomes_an_integration_account"):
        recorder.record_applied("hotline", name)


def _migrate() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_first_migration_takes_over_the_hotline_table_and_its_rows(operator, district):
    case = f.make_case(actor=operator, grid=district["grid11"])
    Diversion.objects.create(incident_number="110-1", case=case)
    _back_to_hotline()
    assert "hotline_diversion" in connection.introspection.table_names()

    _migrate()

    tables = connection.introspection.table_names()
    assert "hotline_diversion" not in tables
    assert Diversion.objects.get(incident_number="110-1").case == case
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("diversion", "0001_initial") in applied
    assert not [key for key in applied if key[0] == "hotline"]


def test_a_new_database_gets_the_table_created(operator, district):
    # The test database itself was made by the migration: the table is there, empty.
    assert Diversion._meta.db_table in connection.introspection.table_names()
    assert Diversion.objects.count() == 0
