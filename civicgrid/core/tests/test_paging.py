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


def test_several_counts_are_bounded_in_one_statement_and_say_when_they_stopped():
    from civicgrid.core.paging import counts_up_to

    everything = rows(12)
    with CaptureQueriesContext(connection) as queries:
        counts = counts_up_to(
            {
                "all": everything,
                "few": everything.filter(payload__in=["1", "2"]),
                "none": everything.filter(pk__in=[]),
            },
            10,
        )
    assert len(queries.captured_queries) == 1
    assert (counts["all"], counts["few"], counts["none"]) == (10, 2, 0)
    assert [counts[k].capped for k in ("all", "few", "none")] == [True, False, False]


def test_a_page_of_ids_brings_its_rows_in_the_list_order():
    from civicgrid.core.paging import page_then_rows

    ordered = rows(7).order_by("-payload")
    ids = ordered.values_list("pk", flat=True)
    page = page_then_rows(
        BoundedPaginator(ids, 5), 2, lambda pks: BenchRow.objects.filter(pk__in=pks)
    )
    assert [row.payload for row in page] == ["1", "0"]
    assert page.number == 2
    assert not page.has_next()
