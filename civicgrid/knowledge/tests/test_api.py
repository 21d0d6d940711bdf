"""GET /api/knowledge/search and /api/knowledge/entries/{id}."""

import pytest
from django.test import Client

from civicgrid.cases.tests.test_api import assert_error, get
from civicgrid.knowledge import services

SEARCH = "/api/knowledge/search"


def test_a_system_searches_the_knowledge_base_and_gets_ranked_entries(operator, entries, category):
    services.update_entry(entries["fund"], actor=None, category=category)
    response = get(operator, SEARCH, q="公积金贷款首付", limit=3)
    assert response.status_code == 200
    hits = response.json()
    assert 1 <= len(hits) <= 3
    first = hits[0]
    assert first["entry"]["id"] == entries["fund"].pk
    assert first["entry"]["category"] == category.code
    assert first["entry"]["valid_now"] is True
    assert first["entry"]["phrasings"] == ["公积金贷款首付比例是多少", "用公积金买房要什么条件"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_the_category_filter_takes_a_category_code(operator, entries, category):
    services.update_entry(entries["lamp"], actor=None, category=category)
    hits = get(operator, SEARCH, q="路灯 公积金", category=category.code).json()
    assert [h["entry"]["id"] for h in hits] == [entries["lamp"].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({}, "q"),
        ({"q": "路灯", "limit": 0}, "limit"),
        ({"q": "路灯", "limit": 51}, "limit"),
        ({"q": "路灯", "limit": "many"}, "limit"),
        ({"q": "路" * 501}, "q"),
        ({"q": "路灯\x00"}, "q"),
        ({"q": "路灯", "category": "nope"}, "category"),
    ],
)
def test_garbage_input_gets_a_400_naming_the_field(operator, entries, params, field):
    body = assert_error(get(operator, SEARCH, **params), 400, "invalid")
    assert body["errors"][0]["field"] == field


def test_one_entry_by_id_also_when_expired(operator, entries, yesterday):
    entry = entries["school"]
    services.update_entry(entry, actor=None, valid_from=yesterday, valid_to=yesterday)
    body = get(operator, f"/api/knowledge/entries/{entry.pk}").json()
    assert body["question"] == entry.question
    assert body["valid_now"] is False


@pytest.mark.parametrize("entry_id", ["999999", "abc", "99999999999999999999999"])
def test_an_unknown_entry_is_a_404_or_400(operator, entries, entry_id):
    response = get(operator, f"/api/knowledge/entries/{entry_id}")
    assert response.status_code in (400, 404)
    assert response.json()["code"] in ("invalid", "not_found")


def test_an_anonymous_caller_is_refused(entries):
    response = Client().get(SEARCH, {"q": "路灯"})
    assert_error(response, 401, "unauthenticated")
