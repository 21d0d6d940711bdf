"""Long lists are counted only as far as anyone reads them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.core.models import BenchRow
from civicgrid.core.paging import BoundedPaginator

pytestmark = pytest.mark.django_db


def rows(n: int):
    BenchRow.objects.bulk_create(BenchRow(payload=str(i)) for i in range(n))
    return BenchRow.objects.order_by("-created_at")


def test_a_long_list_is_counted_up_to_the_bound_and_says_so():
    paginator = BoundedPaginator(rows(12), 5, bound=10)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 10
    assert paginator.capped
    assert paginator.num_pages == 2
    assert len(paginator.page(2)) == 5
    (count,) = queries.captured_queries
    assert "LIMIT 11" in count["sql"]  # reads at most bound + 1 rows
    assert "ORDER BY" not in count["sql"]  # and does not sort them


def test_a_shorter_list_is_counted_exactly():
    paginator = BoundedPaginator(rows(7), 5, bound=10)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (7, False, 2)


def test_a_plain_list_is_bounded_alike():
    paginator = BoundedPaginator(list(range(30)), 5, bound=10)
    assert (paginator.count, paginator.capped) == (10, True)
