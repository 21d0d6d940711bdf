"""Searching the gazetteer as one types: Chinese, pinyin initials, pinyin; best first."""

import pytest
from django.test import Client

from civicgrid.accounts.models import ApiToken
from civicgrid.regions.gazetteer import search
from civicgrid.regions.models import Place, PlaceKind


def place(name, kind=PlaceKind.ROAD, region=None, aliases=""):
    return Place.objects.create(
        name=name, kind=kind, region=region, lng=118.5, lat=37.45, aliases=aliases
    )


@pytest.fixture
def places(district):
    c1 = district["community1"]
    return {
        "street": place("文汇街道", PlaceKind.STREET, district["street1"]),
        "community": place("东营社区", PlaceKind.COMMUNITY, c1),
        "road": place("文汇路", region=c1),
        "address": place("文汇路12号", PlaceKind.ADDRESS, c1),
        "school": place("东营市第一中学文汇校区", PlaceKind.LANDMARK, c1),
        "market": place("新华农贸市场", PlaceKind.LANDMARK, c1, aliases="菜市场;新华市场"),
        "other": place("黄河路", region=district["community2"]),
    }


def names(query, **kwargs):
    return [hit.place.name for hit in search(query, **kwargs)]


def test_chinese_finds_names_that_start_with_it_before_those_that_contain_it(places):
    assert names("文汇") == ["文汇路", "文汇街道", "文汇路12号", "东营市第一中学文汇校区"]


def test_the_exact_name_comes_first(places):
    place("文汇路口", region=places["road"].region)

    # Then the shorter names: the closer to what was typed.
    assert names("文汇路") == ["文汇路", "文汇路口", "文汇路12号"]


def test_pinyin_initials_find_the_place(places):
    assert names("dysq") == ["东营社区"]
    assert names("whjd") == ["文汇街道"]
    assert names("DYSQ") == ["东营社区"]
    assert names("ｗｈｊｄ") == ["文汇街道"]  # full-width letters from a Chinese IME


def test_initials_come_before_full_pinyin_and_contains(places):
    # "wh": the initials of 文汇…; 黄河路 (hhl) only contains "h".
    assert names("wh")[:3] == ["文汇路", "文汇街道", "文汇路12号"]
    assert "黄河路" not in names("wh")


def test_full_pinyin_finds_the_place_with_or_without_spaces(places):
    assert names("dongying") == ["东营社区", "东营市第一中学文汇校区"]
    assert names("dong ying")[0] == "东营社区"


def test_an_alias_finds_the_place(places):
    assert names("菜市场") == ["新华农贸市场"]
    assert names("csc") == ["新华农贸市场"]


def test_a_search_within_a_region_keeps_to_its_subtree(places, district):
    assert names("路", within=district["street2"]) == ["黄河路"]


def test_nothing_matches_nonsense(places):
    assert names("zzzz") == []
    assert names("  ") == []
    assert names("%") == []


def test_each_hit_says_where_it_is(places, district):
    hit = search("东营社区")[0]
    assert hit.context == ["测试区", "第1街道", "第1社区"]


@pytest.fixture
def api(operator):
    _token, raw = ApiToken.issue(operator, "tests")

    def get(**params):
        return Client().get(
            "/api/regions/places", params, headers={"Authorization": f"Bearer {raw}"}
        )

    return get


def test_the_api_lists_matches_with_their_point_and_kind(api, places, district):
    response = api(q="dysq")

    assert response.status_code == 200
    [hit] = response.json()
    assert hit["name"] == "东营社区"
    assert hit["kind"] == "community"
    assert hit["region"] == district["community1"].code
    assert hit["context"] == ["测试区", "第1街道", "第1社区"]
    assert (hit["lng"], hit["lat"]) == (118.5, 37.45)


def test_the_api_answers_in_the_callers_language(api, places):
    response = Client().get(
        "/api/regions/places",
        {"q": "dysq"},
        headers={
            "Authorization": api(q="x").request["HTTP_AUTHORIZATION"],
            "Accept-Language": "zh-hans",
        },
    )
    assert response.json()[0]["kind_label"] == "社区·村"


def test_the_api_refuses_an_empty_query_and_an_unknown_region(api, places):
    assert api(q="").status_code == 400
    response = api(q="路", within="123")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "within"


def test_an_anonymous_caller_is_refused(places):
    assert Client().get("/api/regions/places", {"q": "dysq"}).status_code == 401


def test_the_search_is_in_the_openapi_schema(admin_client):
    schema = admin_client.get("/api/openapi.json").json()
    assert "/api/regions/places" in schema["paths"]


def test_a_search_costs_a_few_queries_whatever_it_finds(
    api, places, django_assert_max_num_queries, warm_snapshots
):
    api(q="warm")  # warm (see ``warm_snapshots``)
    # The prefix stages, reading the hits, the "contains" stage, region names.
    for query in ("wh", "文汇", "菜市场", "zzzz"):
        with django_assert_max_num_queries(8):
            assert api(q=query).status_code == 200
