"""A client system serving one street posts updates on that street's cases only (#7).

The cases are website reports: updates go only to published requests (cases.publication).
"""

import json

import pytest

from civicgrid.accounts.models import Integration
from civicgrid.cases.events import Note
from civicgrid.cases.models import CaseEvent
from civicgrid.cases.tests import factories as f
from civicgrid.open311.models import ClientSystem

from .conftest import BASE, KEY
from .test_updates import post_update

pytestmark = pytest.mark.django_db
STREET_KEY = "o311_test-key-of-the-street-app"


@pytest.fixture
def street_app(district):
    """A street office's mini-program: its account serves 第1街道 only."""
    user = f.make_integration_account(
        Integration.OPEN311, regions=[district["street1"]], username="street-app"
    )
    client = ClientSystem(name="街道小程序", user=user)
    client.set_key(STREET_KEY)
    client.save()
    return client


def test_a_street_client_updates_a_case_of_its_street(client, street_app, operator, district):
    case = f.make_case(actor=operator, grid=district["grid11"], channel="web")
    status, _body = post_update(client, case, api_key=STREET_KEY)
    assert status == 200
    assert CaseEvent.objects.get(action=Note.ADD_NOTE).case == case


def test_a_case_of_another_street_answers_like_a_request_that_does_not_exist(
    client, street_app, operator, district
):
    elsewhere = f.make_case(actor=operator, grid=district["grid21"], channel="web")
    status, body = post_update(client, elsewhere, api_key=STREET_KEY)
    missing_status, missing = post_update(
        client, elsewhere, api_key=STREET_KEY, service_request_id="20990101-00001"
    )
    assert (status, missing_status) == (404, 404)
    assert body[0]["description"] == missing[0]["description"].replace(
        "20990101-00001", elsewhere.number
    )
    assert not CaseEvent.objects.filter(action=Note.ADD_NOTE).exists()


def test_a_client_may_still_update_a_request_it_registered_after_its_area_changed(
    client, street_app, district, post_data
):
    sent = client.post(f"{BASE}/requests.json", data={**post_data, "api_key": STREET_KEY})
    assert sent.status_code == 200, sent.content
    number = json.loads(sent.content)[0]["service_request_id"]
    street_app.user.grants.get().regions.set([district["street2"]])
    case = street_app.requests.get().case
    assert case.number == number
    status, _body = post_update(client, case, api_key=STREET_KEY)
    assert status == 200


def test_a_district_client_updates_anywhere_in_its_district(client, app_client, operator, district):
    for grid in ("grid11", "grid21"):
        case = f.make_case(actor=operator, grid=district[grid], channel="web")
        status, _body = post_update(client, case, api_key=KEY, update_id=f"u-{grid}")
        assert status == 200


def test_a_client_acting_as_a_staff_account_is_refused(client, operator, district, post_data):
    # Made before integration accounts existed, and never migrated: its key opens nothing.
    legacy = ClientSystem(name="旧系统", user=operator)
    legacy.set_key("o311_legacy-key-of-an-old-system")
    legacy.save()
    answer = client.post(
        f"{BASE}/requests.json",
        data={**post_data, "api_key": "o311_legacy-key-of-an-old-system"},
    )
    assert answer.status_code == 403
    assert json.loads(answer.content)[0]["description"].startswith("api_key:")
