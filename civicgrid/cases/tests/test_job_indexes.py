"""The periodic overdue scan and the map read small partial indexes on PostgreSQL.

With a handful of rows the planner would rather scan the table; with sequential scans off,
the plan shows whether the query's condition matches the index's, which is what keeps the
scan flat however many cases are open (bench/jobs.py measures it at scale).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicgrid.cases.models import OVERDUE_UNMARKED, Case
from civicgrid.cases.queries import open_counts_by_grid, open_on_map
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partial index plans: PostgreSQL"
)


def plan_of(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_overdue_scan_reads_the_index_of_cases_still_to_mark(operator, district, category):
    f.make_case(actor=operator, grid=district["grid11"], category=category)
    scan = Case.objects.filter(OVERDUE_UNMARKED, due_at__lt=timezone.now()).values("id")
    assert "cases_case_overdue_unmarked" in plan_of(scan)


def test_the_map_reads_the_index_of_open_cases_by_position(
    admin_user, district, operator, category
):
    f.make_case(actor=operator, grid=district["grid11"], category=category)
    with CaptureQueriesContext(connection) as ran:
        open_on_map(admin_user, bbox=(100.0, 30.0, 101.0, 31.0), zoom=12)
    grouped = next(q["sql"] for q in ran.captured_queries if "GROUP BY" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {grouped}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_case_open_on_map" in plan


def test_the_grid_counts_read_the_index_of_open_cases_without_a_point(
    admin_user, district, operator, category
):
    grid = district["grid11"]
    made = f.make_case(actor=operator, grid=grid, category=category)
    Case.objects.filter(pk=made.pk).update(lat=None, lng=None)
    with CaptureQueriesContext(connection) as ran:
        assert open_counts_by_grid(admin_user, {grid.path: grid.pk}) == {grid.pk: 1}
    (unplaced,) = (q["sql"] for q in ran.captured_queries if "cases_case" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {unplaced}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_case_open_unplaced" in plan
