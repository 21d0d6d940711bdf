"""The duplicates API: candidates before filing, supporters (+1), hot issues; bad input is a 4xx."""

import json

import pytest
from django.test import Client

from civicgrid.accounts.models import ApiToken, Role
from civicgrid.cases.tests import factories as f
from civicgrid.duplicates.models import Supporter
from civicgrid.routing.models import RequestType

CANDIDATES = "/api/duplicates/candidates"
LAMP = ("幸福小区南门路灯不亮", "幸福小区南门外的路灯坏了三天，晚上一片漆黑，老人出门很危险。")


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "tests")
    # Messages are checked in English; the API speaks the caller's Accept-Language.
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


def get(user, url, **params):
    return Client().get(url, params, headers=bearer(user))


def post(user, url, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return Client().post(url, data, content_type="application/json", headers=bearer(user))


def assert_error(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"]
    assert body["message"]
    if field:
        assert field in [e["field"] for e in body["errors"]]
    return body


@pytest.fixture
def lamp(neighbours, operator, category):
    return f.make_case(
        actor=operator, grid=neighbours["grid11"], category=category, title=LAMP[0], content=LAMP[1]
    )


def test_candidates_for_a_point_rank_the_same_problem_first(lamp, neighbours, operator):
    lng, lat = f.point_in(neighbours["grid12"])
    response = get(
        operator, CANDIDATES, title="南门路灯坏了", content=LAMP[1][:20], lng=lng, lat=lat
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["grid"]["code"] == neighbours["grid12"].code
    first = body["candidates"][0]
    assert first["number"] == lamp.number
    assert first["likely"] is True
    assert first["same_grid"] is False
    assert first["grid"]["code"] == neighbours["grid11"].code
    assert 0 < body["threshold"] < 1


def test_candidates_without_a_place_say_why(lamp, operator):
    body = get(operator, CANDIDATES, title="路灯").json()
    assert body["reason"] == "no_place"
    assert body["candidates"] == []
    assert body["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lng": "118.5"}, "lng"),
        ({"lng": "abc", "lat": "30"}, "lng"),
        ({"lng": "500", "lat": "30"}, "lng"),
        ({"lat": "-95", "lng": "100"}, "lat"),
        ({"category": "nope"}, "category"),
        ({"limit": "0"}, "limit"),
        ({"window_days": "1000"}, "window_days"),
        ({"title": "长" * 201}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"datum": "mars"}, "datum"),
    ],
)
def test_garbage_in_the_candidate_query_is_a_400(operator, neighbours, params, field):
    assert_error(get(operator, CANDIDATES, **params), 400, field)


def test_candidates_need_a_signed_in_caller(db):
    assert Client().get(CANDIDATES).status_code == 401


def test_joining_by_api_counts_the_caller_once(lamp, operator):
    url = f"/api/cases/{lamp.number}/supporters"
    response = post(operator, url, {"phone": "13900001111", "name": "王五", "channel": "web"})
    assert response.status_code == 201, response.content
    assert response.json()["count"] == 1
    assert response.json()["supporters"][0]["contact"] == "王* 139****1111"
    again = post(operator, url, {"phone": "139-0000-1111"})
    assert "already joined" in assert_error(again, 400, "phone")["message"]
    assert get(operator, url).json()["count"] == 1


def test_a_supporter_with_a_long_name_is_counted_and_shown_masked(lamp, operator):
    url = f"/api/cases/{lamp.number}/supporters"
    name = "欧阳" + "长" * 48  # 50 characters: the longest a name may be
    response = post(operator, url, {"phone": "8613900001111222", "name": name})
    assert response.status_code == 201, response.content
    contact = response.json()["supporters"][0]["contact"]
    assert contact.startswith("欧*")
    assert contact.endswith("1222")
    assert len(contact) <= Supporter._meta.get_field("contact").max_length


def test_a_supporter_name_over_50_characters_is_a_400(lamp, operator):
    url = f"/api/cases/{lamp.number}/supporters"
    assert_error(post(operator, url, {"phone": "13900001111", "name": "长" * 51}), 400, "name")
    assert not Supporter.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"phone": ""}, {"phone": "12"}, {"phone": "139", "channel": "fax"}, "not json", []],
)
def test_garbage_supporter_bodies_are_a_400(lamp, operator, body):
    response = post(operator, f"/api/cases/{lamp.number}/supporters", body)
    assert_error(response, 400)
    assert not Supporter.objects.exists()


def test_an_outsider_cannot_see_or_join_the_case(lamp, outsider):
    url = f"/api/cases/{lamp.number}/supporters"
    assert_error(post(outsider, url, {"phone": "13900001111"}), 404)
    assert_error(get(outsider, url), 404)
    assert_error(post(outsider, "/api/cases/20990101-99999/supporters", {"phone": "139"}), 404)


def test_the_cases_api_still_answers_beside_the_supporters(lamp, operator):
    assert get(operator, f"/api/cases/{lamp.number}").json()["number"] == lamp.number


@pytest.fixture
def power_handler(db):
    """A handler of the power company: another department, no regions of its own."""
    power = f.make_department("供电公司", code="GDGS")
    return f.make_user(Role.HANDLER, department=power, username="powerhandler")


@pytest.fixture
def bureau_cases(district, operator, category):
    """Cases of the category at the district's centre, a whistle-blower report among them."""
    return [
        f.make_case(actor=operator, category=category, title=LAMP[0], content=LAMP[1]),
        f.make_case(
            actor=operator,
            grid=district["grid11"],
            category=category,
            title=LAMP[0],
            content=LAMP[1],
        ),
        f.make_case(
            actor=operator,
            category=category,
            request_type=RequestType.REPORT,
            title="举报南门路灯工程偷工减料",
            content=LAMP[1],
        ),
    ]


def test_the_candidates_api_lists_the_category_for_someone_who_may_see_it(bureau_cases, operator):
    body = get(operator, CANDIDATES, category="01", title=LAMP[0]).json()
    assert {c["number"] for c in body["candidates"]} >= {bureau_cases[0].number}


@pytest.mark.parametrize("params", [{"title": LAMP[0]}, {"title": ""}])
def test_a_handler_of_another_department_searching_by_category_gets_none_of_its_cases(
    bureau_cases, power_handler, params
):
    response = get(power_handler, CANDIDATES, category="01", **params)
    assert response.status_code == 200, response.content
    assert response.json()["candidates"] == []


@pytest.mark.parametrize("params", [{"category": "01"}, {"category": "01", "title": "举报"}])
def test_an_outsider_searching_by_category_gets_nothing(bureau_cases, outsider, params):
    assert get(outsider, CANDIDATES, **params).json()["candidates"] == []


def test_an_outsider_searching_at_a_point_gets_nothing(bureau_cases, district, outsider):
    lng, lat = f.point_in(district["grid11"])
    body = get(outsider, CANDIDATES, title=LAMP[0], lng=lng, lat=lat).json()
    assert body["candidates"] == []
