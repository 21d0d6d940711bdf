"""110 ↔ 12345: diverted calls become cases once; police matters go back with a reason."""

import pytest

from civicgrid.accounts.models import ApiToken, Integration
from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, Channel, Status
from civicgrid.cases.tests import factories as f

URL = "/api/diversion/110"


@pytest.fixture
def police_system(district):
    """110's system: its integration account in the district, with a token."""
    user = f.make_integration_account(
        Integration.POLICE_110, regions=[district["district"]], username="police110"
    )
    token, secret = ApiToken.issue(user, "110 diversion")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _call(district, **overrides):
    lng, lat = f.point_in(district["grid12"])
    body = {
        "incident_number": "110-20261122-0042",
        "received_at": "2026-11-22T09:15:00+08:00",
        "content": "邻居家装修噪音从早上七点开始，已持续一周，不是警情，请12345协调。",
        "caller": {"name": "李四", "phone": "13900001111"},
        "location": {"lng": lng, "lat": lat},
    }
    body.update(overrides)
    return body


def test_a_diverted_call_becomes_a_case_with_its_incident_number(client, district, police_system):
    response = client.post(URL, _call(district), content_type="application/json", **police_system)
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert body["duplicate"] is False
    assert case.channel == Channel.POLICE_DIVERSION
    assert case.extra["110_incident"] == "110-20261122-0042"
    assert case.grid == district["grid12"]
    assert case.title.startswith("邻居家装修噪音")
    assert case.masked_phone == "139****1111"
    assert case.events.get().data["channel"] == Channel.POLICE_DIVERSION


def test_the_same_incident_sent_again_returns_the_same_case(client, district, police_system):
    first = client.post(URL, _call(district), content_type="application/json", **police_system)
    again = client.post(URL, _call(district), content_type="application/json", **police_system)
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["duplicate"] is True
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"incident_number": ""}, "incident_number"),
        ({"incident_number": "有 空格"}, "incident_number"),
        ({"content": ""}, "content"),
        ({"category": "NOPE"}, "category"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "2026-11-22T09:15:00+20:00"}, "received_at"),
        ({"received_at": "0001-01-01T00:00:00+08:00"}, "received_at"),
        ({"received_at": "3000-01-01T00:00:00+08:00"}, "received_at"),
        ({"received_at": "9999-12-31T23:59:59-08:00"}, "received_at"),
        ({"location": {"lng": 500, "lat": 1}}, "location.lng"),
    ],
)
def test_bad_diversions_name_the_field_and_make_nothing(
    client, district, police_system, change, field
):
    response = client.post(
        URL, _call(district, **change), content_type="application/json", **police_system
    )
    assert response.status_code in (400, 422)
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Case.objects.exists()


def test_diversion_needs_an_account_that_may_register(client, district, handler):
    assert client.post(URL, _call(district), content_type="application/json").status_code == 401
    client.force_login(handler)
    response = client.post(URL, _call(district), content_type="application/json")
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_police_matter_is_handed_back_with_its_reason(
    client, district, police_system, dispatcher, operator
):
    number = client.post(
        URL, _call(district), content_type="application/json", **police_system
    ).json()["number"]
    case = Case.objects.get(number=number)
    lifecycle.apply(
        case,
        Action.REFER,
        actor=dispatcher,
        note="来电人称邻居持刀威胁，属治安警情，退回110。",
        kind="police_matter",
    )
    # Another case, not from 110, that turns out to be a police matter too.
    other = f.make_case(actor=operator, grid=district["grid11"], title="有人撬车")
    lifecycle.apply(other, Action.REFER, actor=dispatcher, note="盗窃警情", kind="police_matter")

    response = client.get(
        f"{URL}/handed-back", {"since": "2000-01-01T00:00:00+08:00"}, **police_system
    )
    assert response.status_code == 200
    back = {row["number"]: row for row in response.json()}
    assert back[number]["incident_number"] == "110-20261122-0042"
    assert "持刀威胁" in back[number]["reason"]
    assert back[other.number]["incident_number"] is None
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.outcome == "referred:police_matter"
    later = client.get(
        f"{URL}/handed-back", {"since": "2999-01-01T00:00:00+08:00"}, **police_system
    )
    assert later.json() == []
    assert client.get(f"{URL}/handed-back", {"since": "soon"}, **police_system).status_code in (
        400,
        422,
    )


def test_the_case_page_names_the_incident_number(client, district, police_system, dispatcher):
    number = client.post(
        URL, _call(district), content_type="application/json", **police_system
    ).json()["number"]
    client.force_login(dispatcher)
    page = client.get(f"/cases/{number}/").content.decode()
    assert "110 incident number" in page
    assert "110-20261122-0042" in page


@pytest.mark.parametrize(
    "since", ["2026-11-22T09:15:00+20:00", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-14:00"]
)
def test_a_hand_back_query_with_an_impossible_time_is_a_400(client, district, police_system, since):
    response = client.get(f"{URL}/handed-back", {"since": since}, **police_system)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "since"


def test_a_call_received_far_in_the_future_is_refused_with_a_reason(
    client, district, police_system
):
    response = client.post(
        URL,
        _call(district, received_at="3000-01-01T00:00:00+08:00"),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **police_system,
    )
    assert response.status_code == 400
    assert "in the future" in response.json()["errors"][0]["message"]
    assert not Case.objects.exists()
