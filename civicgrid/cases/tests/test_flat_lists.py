"""What keeps every list flat in the number of cases (docs/performance.md; bench/pages.py
measures the time): scope filters on the case's own indexed columns, a word index for
Chinese titles, counts that stop at a bound, keyset paging in the API. The EXPLAIN tests
run on PostgreSQL only and name the index each list must read."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.cases import queries, services, words
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, Status
from civicgrid.cases.scope import visible_cases
from civicgrid.cases.search import CaseFilter
from civicgrid.cases.tests import factories as f
from civicgrid.core import paging

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL's indexes"
)


def make_cases(n, operator, district, category, **fields):
    return [
        f.make_case(actor=operator, grid=district["grid11"], category=category, **fields)
        for _ in range(n)
    ]


def plan_of(queryset) -> str:
    """PostgreSQL's plan for ``queryset`` with sequential scans made dear, as on a
    table of millions (a test table of ten rows is cheaper to read whole)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- the copies on the case row --------------------------------------------------------


def test_a_case_carries_its_centres_path_through_an_escalation(
    dispatcher, new_case, district, leader
):
    assert new_case.owner_path == new_case.owner_region.path
    services.act(new_case, Action.ESCALATE, actor=dispatcher, note="涉及多区，需市级协调")
    case = Case.objects.get(pk=new_case.pk)
    assert case.owner_region == district["city"]
    assert case.owner_path == district["city"].path
    # The district's leader still finds it in the list, by the copied path.
    assert visible_cases(leader, Case.objects.all()).filter(pk=case.pk).exists()


def test_a_case_keeps_the_words_of_its_title(operator, district, category):
    (case,) = make_cases(1, operator, district, category, title="小区物业不作为，停车位被占")
    assert {"小区", "物业", "停车", "停车位"} <= set(case.title_words.split())


def test_a_two_character_word_finds_the_titles_that_hold_it(
    client, leader, operator, district, category
):
    parking, lamp = (
        make_cases(1, operator, district, category, title=title)[0]
        for title in ("小区停车位被外来车辆占用", "路灯不亮")
    )
    client.force_login(leader)
    page = client.get(reverse("cases:list"), {"text": "停车"}).content.decode()
    assert parking.number in page
    assert lamp.number not in page


# --- counts and pages ------------------------------------------------------------------


def test_the_api_counts_to_its_bound_and_pages_on_by_case_number(
    client, leader, operator, district, category, monkeypatch
):
    monkeypatch.setattr(paging, "COUNT_BOUND", 3)
    cases = make_cases(5, operator, district, category)
    newest_first = [c.number for c in reversed(cases)]
    client.force_login(leader)
    first = client.get("/api/cases", {"limit": 2}).json()
    assert first["count"] == 3
    assert first["count_capped"] is True
    assert [c["number"] for c in first["items"]] == newest_first[:2]
    seen = [c["number"] for c in first["items"]]
    cursor = first["next_older_than"]
    while cursor:
        page = client.get("/api/cases", {"limit": 2, "older_than": cursor}).json()
        seen += [c["number"] for c in page["items"]]
        cursor = page["next_older_than"]
    assert seen == newest_first
    assert client.get("/api/cases", {"older_than": "NO-SUCH"}).status_code == 400


def test_the_api_list_makes_as_many_queries_for_25_cases_as_for_5(
    client, leader, operator, district, category
):
    client.force_login(leader)
    make_cases(5, operator, district, category)
    client.get("/api/cases")  # the leader's grants, read once per process (accounts.keys)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/cases").status_code == 200
    make_cases(20, operator, district, category)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/cases").status_code == 200
    assert len(many) == len(few)
    # The cases counted (not the regions' version check of the per-process grants).
    counts = [
        q["sql"]
        for q in many.captured_queries
        if "COUNT(" in q["sql"].upper() and "cases_case" in q["sql"]
    ]
    assert counts
    assert all("LIMIT" in sql.upper() for sql in counts)
    # The count reads ids, not the columns of the rows (a join per case counted).
    assert not any("merged_into_number" in sql for sql in counts)


def test_the_case_admin_never_counts_the_whole_table(admin_client, operator, district, category):
    make_cases(2, operator, district, category)
    with CaptureQueriesContext(connection) as seen:
        response = admin_client.get(reverse("admin:cases_case_changelist"), {"status": "closed"})
    assert response.status_code == 200
    counts = [q["sql"] for q in seen.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts
    assert all("LIMIT" in sql.upper() for sql in counts)


# --- the plans on PostgreSQL -----------------------------------------------------------


@on_postgresql
def test_a_grid_workers_list_reads_the_two_path_indexes_without_a_join(
    grid_worker, operator, district, category
):
    make_cases(3, operator, district, category)
    plan = plan_of(visible_cases(grid_worker, Case.objects.all()).values("id"))
    assert re.search(r"cases_case_region_path_\w+_like", plan), plan
    assert re.search(r"cases_case_owner_path_\w+_like", plan), plan
    assert "regions_region" not in plan


@on_postgresql
def test_a_region_filter_reads_the_path_indexes(leader, operator, district, category):
    make_cases(3, operator, district, category)
    street = district["grid11"].parent.parent
    chosen = CaseFilter(region=street.code).apply(Case.objects.all()).values("id")
    plan = plan_of(chosen)
    assert re.search(r"cases_case_region_path_\w+_like", plan), plan
    assert "regions_region" not in plan
    # One status in a street: the street's range within the status, not two bitmaps ANDed.
    handling = CaseFilter(status=Status.HANDLING, region=street.code).apply(Case.objects.all())
    plan = plan_of(handling.values("id"))
    assert "cases_case_status_region" in plan, plan
    assert "BitmapAnd" not in plan, plan


@on_postgresql
def test_a_chinese_text_search_reads_the_word_index_once(operator, district, category):
    make_cases(3, operator, district, category, title="小区停车难")
    plan = plan_of(CaseFilter(text="停车").apply(Case.objects.all()).values("id"))
    assert plan.count("cases_case_title_word_list") == 1, plan
    # Each case a list passes on its way is tested by splitting its stored words, not by
    # re-cutting its title (to_tsvector, ~10x dearer: a walk of the date index did it).
    assert "to_tsvector" not in plan, plan
    assert "trgm" not in plan


@on_postgresql
def test_an_open_cases_text_search_reads_the_open_word_index(operator, district, category):
    make_cases(3, operator, district, category, title="小区停车难")
    found = CaseFilter(group="open", text="停车").apply(Case.objects.all())
    assert found.count() == 3
    plan = plan_of(found.values("id"))
    assert "cases_case_open_title_word_list" in plan, plan
    assert "BitmapAnd" not in plan, plan
    # A page newest first walks the open cases only, not the date index over all cases
    # (at 3 M with a common word, the planner walks rather than sorts: sorting made dear).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
    page = plan_of(found.order_by("-created_at", "-id").values("id")[:51])
    assert "cases_case_open_recent" in page, page


@on_postgresql
def test_a_case_number_search_reads_the_trigram_indexes(operator, district, category):
    (case,) = make_cases(1, operator, district, category)
    found = CaseFilter(text=case.number[-6:]).apply(Case.objects.all())
    plan = plan_of(found.order_by().values("id"))
    assert "cases_case_number_trgm" in plan


@on_postgresql
def test_the_triage_queue_reads_the_centres_path_from_the_case_row(
    dispatcher, operator, district, category
):
    make_cases(3, operator, district, category)
    sql = str(queries.triage_queue(dispatcher).query)
    assert '"owner_path"' in sql


@on_postgresql
def test_the_public_results_read_the_closed_cases_index(operator, district, category):
    make_cases(2, operator, district, category)
    closed = Case.objects.filter(status=Status.CLOSED).order_by("-closed_at").values("id")[:20]
    # With two open cases every index on status ties; sorting is made dear as on a table of
    # millions of closed cases, where (status, region_path) would mean sorting them all.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
    assert "cases_case_closed_recent" in plan_of(closed)


def test_one_character_is_looked_for_inside_words(operator, district, category):
    assert "title__icontains" in str(words.matches("灯"))


# --- the case list pages by keyset -----------------------------------------------------


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def _listed(cases, html: str) -> list[str]:
    return [c.number for c in cases if f"/cases/{c.number}/" in html]


def test_older_and_newer_reach_every_filtered_case_once(
    client, leader, operator, district, category, monkeypatch
):
    from civicgrid.cases.views import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    here = make_cases(7, operator, district, category)
    elsewhere = f.make_case(actor=operator, grid=district["grid21"], category=category)
    street = district["grid11"].parent.parent.code
    client.force_login(leader)
    url, pages = f"{reverse('cases:list')}?region={street}", []
    while url:
        html = client.get(url).content.decode()
        pages.append(_listed(here, html))
        assert not _listed([elsewhere], html)
        assert f"region={street}" in (_link(html, "next") or f"region={street}")
        url = _link(html, "next") and reverse("cases:list") + _link(html, "next")
    newest_first = [c.number for c in reversed(here)]
    assert [n for page in pages for n in sorted(page, reverse=True)] == newest_first
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    # And back: newer from the last page, to the first.
    back = []
    while url := (_link(html, "prev") and reverse("cases:list") + _link(html, "prev")):
        html = client.get(url).content.decode()
        back.append(_listed(here, html))
    assert back == pages[-2::-1]


def test_the_case_list_reads_only_the_columns_it_shows(
    client, leader, operator, district, category
):
    make_cases(2, operator, district, category, content="很长的诉求内容" * 200)
    client.force_login(leader)
    with CaptureQueriesContext(connection) as seen:
        assert client.get(reverse("cases:list")).status_code == 200
    rows = [q["sql"] for q in seen.captured_queries if 'FROM "cases_case"' in q["sql"]]
    assert rows
    assert not [sql for sql in rows if '"content"' in sql or '"boundary"' in sql]


@on_postgresql
def test_an_older_page_starts_inside_the_received_index(operator, district, category):
    from civicgrid.core.paging import past

    cases = make_cases(3, operator, district, category)
    key = (cases[1].created_at, cases[1].pk)
    older = past(Case.objects.all(), key, older=True).order_by("-created_at", "-id")
    plan = plan_of(older.values("id")[:26])
    # A range of the index read from the page's last case, not every newer case first.
    assert re.search(r"Index Cond: \(created_at <=", plan), plan
