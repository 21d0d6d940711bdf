"""110's token opens 110's door and nothing else; the door finds only 110's own diversions
(here, above every app: it walks the whole API and loads the demo's 110 account)."""

import pytest

from civicgrid.accounts.models import ApiToken, Integration, Role
from civicgrid.api import api
from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case
from civicgrid.cases.tests import factories as f
from civicgrid.demo.diversion import DEMO_TOKEN, load_demo_110, print_demo_110
from civicgrid.diversion.tests.test_diversion import URL, _call

pytestmark = pytest.mark.django_db
OWN_DOOR = {("post", "/api/diversion/110"), ("get", "/api/diversion/110/handed-back")}


def bearer(user) -> dict:
    _token, secret = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def police(district):
    return f.make_integration_account(
        Integration.POLICE_110, regions=[district["district"]], username="police110"
    )


def _every_endpoint():
    """(method, path) of every operation of the JSON API, from its OpenAPI schema."""
    schema = api.get_openapi_schema(path_prefix="/api/")
    return [(method, path) for path, ops in schema["paths"].items() for method in ops]


@pytest.mark.parametrize("kind", [Integration.POLICE_110, Integration.OPEN311])
def test_an_integration_token_is_refused_at_every_api_endpoint_but_its_own(
    client, district, police, operator, category, kind
):
    diverted = client.post(URL, _call(district), content_type="application/json", **bearer(police))
    assert diverted.status_code == 201
    own = diverted.json()["number"]  # 110's own case: not readable elsewhere either
    other = f.make_case(actor=operator, grid=district["grid11"], category=category)
    system = police if kind == Integration.POLICE_110 else f.make_integration_account(kind)
    token = bearer(system)
    doors = OWN_DOOR if kind == Integration.POLICE_110 else set()
    endpoints = _every_endpoint()
    assert len(endpoints) >= 15
    answers = {}
    for method, path in endpoints:
        if (method, path) in doors:
            continue
        for number in (own, other.number):
            url = path.replace("{number}", number).replace("{action}", Action.CLOSE)
            url = url.replace("{entry_id}", "1")
            response = getattr(client, method)(url, {}, content_type="application/json", **token)
            answers[(method, url)] = response.status_code
            assert response.status_code in (403, 404), (method, url, response.content)
            assert number.encode() not in response.content
    assert set(answers.values()) == {403}
    for unknown in ("/api/", "/api/users", "/api/cases/x/y/z"):
        assert client.get(unknown, **token).status_code in (403, 404)
    back = client.get(f"{URL}/handed-back", {"since": "2000-01-01T00:00:00Z"}, **token)
    assert back.status_code == (200 if doors else 403)


@pytest.mark.parametrize("who", ["operator", "handler", "open311_system"])
def test_only_110s_account_may_use_the_110_door(client, district, police, request, who):
    if who == "open311_system":
        caller = f.make_integration_account(Integration.OPEN311, regions=[district["district"]])
    else:
        caller = request.getfixturevalue(who)
    token = bearer(caller)
    first = client.post(URL, _call(district), content_type="application/json", **bearer(police))
    number = first.json()["number"]
    # Sending an incident number that exists: refused before it is looked up.
    again = client.post(URL, _call(district), content_type="application/json", **token)
    assert again.status_code == 403
    assert number not in again.content.decode()
    assert "integration account of 110" in again.json()["message"]
    fresh = client.post(
        URL, _call(district, incident_number="110-X-9"), content_type="application/json", **token
    )
    assert fresh.status_code == 403
    back = client.get(f"{URL}/handed-back", {"since": "2000-01-01T00:00:00Z"}, **token)
    assert back.status_code == 403
    assert Case.objects.count() == 1


def test_a_second_110_account_never_gets_the_first_ones_diversion(client, district, police):
    other_police = f.make_integration_account(
        Integration.POLICE_110, regions=[district["district"]], username="police110b"
    )
    first = client.post(URL, _call(district), content_type="application/json", **bearer(police))
    number = first.json()["number"]
    again = client.post(
        URL, _call(district), content_type="application/json", **bearer(other_police)
    )
    assert again.status_code == 409
    assert number not in again.content.decode()
    assert Case.objects.count() == 1


def test_hand_backs_are_the_police_matters_of_its_regions_only(
    client, district, other_district, police, dispatcher
):
    here = f.make_case(actor=dispatcher, grid=district["grid12"], title="有人撬车")
    lifecycle.apply(here, Action.REFER, actor=dispatcher, note="盗窃警情", kind="police_matter")
    elsewhere_dispatcher = f.make_user(Role.DISPATCHER, regions=[other_district["district"]])
    there = f.make_case(actor=elsewhere_dispatcher, grid=other_district["grid11"])
    lifecycle.apply(
        there, Action.REFER, actor=elsewhere_dispatcher, note="邻区警情", kind="police_matter"
    )
    back = client.get(
        f"{URL}/handed-back", {"since": "2000-01-01T00:00:00Z"}, **bearer(police)
    ).json()
    assert [row["number"] for row in back] == [here.number]


def test_the_demo_makes_110_an_integration_account_with_a_published_token(client, district, capsys):
    code = district["district"].code
    first, again = load_demo_110(code), load_demo_110(code)
    assert first.pk == again.pk
    assert first.is_integration_of(Integration.POLICE_110)
    assert not first.has_usable_password()
    assert [g.region_paths for g in first.role_grants()] == [[district["district"].path]]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {DEMO_TOKEN}"}
    answer = client.post(URL, _call(district), content_type="application/json", **auth)
    assert answer.status_code == 201
    assert client.get("/api/cases", **auth).status_code == 403
    print_demo_110()
    assert DEMO_TOKEN in capsys.readouterr().out


def test_an_older_demos_110_operator_is_narrowed_by_the_loader(district):
    old = f.make_user(Role.OPERATOR, regions=[district["district"]], username="police110")
    user = load_demo_110(district["district"].code)
    assert user.pk == old.pk
    assert user.roles == [Role.INTEGRATION]
    assert not user.has_usable_password()
