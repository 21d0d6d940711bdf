"""What keeps the case lists fast over 100,000 cases (bench/pages.py measures the time;
these pin what made it slow): the same queries for 50 rows as for 5, no region polygons
read with the rows, a count that stops at a bound, no scan of every case in the admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f
from civicgrid.core import paging

pytestmark = pytest.mark.django_db


def make_cases(n, operator, district, category):
    return [
        f.make_case(actor=operator, grid=district["grid11"], category=category, title=f"第{i}件")
        for i in range(n)
    ]


def sql_of(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_the_case_list_makes_as_many_queries_for_25_rows_as_for_5(
    client, leader, operator, district, category
):
    client.force_login(leader)
    make_cases(5, operator, district, category)
    client.get(reverse("cases:list"))  # the leader's grants, read once per process
    few = sql_of(client, reverse("cases:list"))
    make_cases(25, operator, district, category)
    many = sql_of(client, reverse("cases:list"))
    # Only the count is added: five cases fit on the page, so they are not counted.
    assert len(many) == len(few) + 1
    counts = [sql for sql in many if "COUNT(" in sql and "cases_case" in sql]
    assert len(counts) == 1 + len([sql for sql in few if "COUNT(" in sql and "cases_case" in sql])


def test_the_case_list_and_the_inbox_leave_the_region_polygons_unread(
    client, leader, handler, operator, dispatcher, bureau, district, category
):
    # A district's outline is ~70 kB of JSON; decoding it with each of 50 rows took 1 s.
    for case in make_cases(3, operator, district, category):
        services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    client.force_login(leader)
    assert not [sql for sql in sql_of(client, reverse("cases:list")) if '"boundary"' in sql]
    client.force_login(handler)
    assert not [sql for sql in sql_of(client, reverse("cases:inbox")) if '"boundary"' in sql]


def test_a_list_longer_than_the_count_bound_says_bound_plus(
    client, leader, operator, district, category, monkeypatch
):
    from civicgrid.cases.views import listing

    monkeypatch.setattr(paging, "COUNT_BOUND", 4)
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    cases = make_cases(6, operator, district, category)
    client.force_login(leader)
    page = client.get(reverse("cases:list")).content.decode()
    assert "4+ cases" in page
    assert [c.number in page for c in cases] == [False, False, False, False, True, True]
    # All of them on one page: counted as they are listed, never capped.
    monkeypatch.setattr(listing, "PAGE_SIZE", 25)
    assert "6 cases" in client.get(reverse("cases:list")).content.decode()


def test_the_case_admin_does_not_group_every_case_by_year(
    admin_client, operator, district, category
):
    make_cases(2, operator, district, category)
    queries = sql_of(admin_client, reverse("admin:cases_case_changelist"))
    assert not [sql for sql in queries if "trunc" in sql.lower()]


def test_a_text_search_counts_its_hits_only_to_its_own_bound(
    client, leader, operator, district, category, monkeypatch
):
    # Counting every hit of a two-character word read all 100,000 cases on PostgreSQL.
    from civicgrid.cases import search
    from civicgrid.cases.views import listing

    monkeypatch.setattr(search, "TEXT_COUNT_BOUND", 2)
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)  # more than a page: counted
    make_cases(3, operator, district, category)
    client.force_login(leader)
    assert "2+ cases" in client.get(reverse("cases:list"), {"text": "件"}).content.decode()
    assert "3 cases" in client.get(reverse("cases:list")).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL")
def test_the_text_search_uses_the_trigram_indexes_on_postgresql(operator, district, category):
    from civicgrid.cases.models import Case

    make_cases(3, operator, district, category)
    query = Case.objects.filter(title__icontains="第1件").values("id")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_case_title_trgm" in plan
