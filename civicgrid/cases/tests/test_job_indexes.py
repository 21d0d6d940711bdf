"""The periodic overdue scan and the map read small partial indexes on PostgreSQL.

With a handful of rows the planner would rather scan the table; with sequential scans off,
the plan shows whether the query's condition matches the index's, which is what keeps the
scan flat however many cases are open (bench/jobs.py measures it at scale).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicgrid.cases.models import OVERDUE_UNMARKED, Case
from civicgrid.cases.queries import open_counts_by_grid, open_on_map
from civicgrid.cases.services import mark_overdue
from civicgrid.cases.tests import factories as f
from civicgrid.cases.tests.test_views import dispatched

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


def plans_of(ran, needle: str, *, reading: tuple[str, ...] = ("",)) -> list[str]:
    """The plans, sequential and bitmap scans off (a few rows: the planner would rather),
    of the captured queries whose SQL has ``needle`` and starts with one of ``reading``."""
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for query in ran.captured_queries:
            if needle in query["sql"] and query["sql"].startswith(reading):
                cursor.execute(f"EXPLAIN {query['sql']}")
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def test_the_overdue_scan_reads_its_keys_from_its_index_alone(operator, district, category):
    """The keys alone: PostgreSQL picked the larger open-cases index for whole rows and
    walked every overdue case marked long ago (559 ms at 3 M cases; 0.03 ms this way)."""
    case = f.make_case(actor=operator, grid=district["grid11"], category=category)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))
    with CaptureQueriesContext(connection) as ran:
        assert mark_overdue() == 1
    plans = plans_of(ran, '"overdue_marked_for" IS NULL')
    assert plans
    for plan in plans:
        assert "Index Only Scan using cases_case_overdue_unmarked" in plan, plan


def test_the_inbox_counts_and_page_read_the_inbox_index_alone(
    client, handler, operator, dispatcher, district, category, bureau
):
    """Scope, light tabs and counts come from the inbox index's own columns: at 3 M cases
    they visited a heap row per waiting case of the city (1.4 s; 45 ms this way)."""
    case = dispatched(
        f.make_case(actor=operator, grid=district["grid11"], category=category), dispatcher, bureau
    )
    client.force_login(handler)
    with CaptureQueriesContext(connection) as ran:
        html = client.get(reverse("cases:inbox")).content.decode()
    assert case.number in html
    keys = ("SELECT COUNT(*)", "SELECT (SELECT COUNT(*)", 'SELECT "cases_case"."id" AS "pk"')
    plans = plans_of(ran, "'extension_requested')", reading=keys)
    assert len(plans) >= 3  # the page's ids, its count and the light tabs' counts
    for plan in plans:
        assert "Index Only Scan using cases_case_inbox_order" in plan, plan
