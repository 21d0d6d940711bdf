"""/api/centres: the rota, the summons of the unit on duty and the co-handling parts for
other systems, in the OpenAPI schema."""

import pytest

from civicgrid.accounts.models import ApiToken, Role
from civicgrid.cases.models import CaseEvent
from civicgrid.cases.tests import factories as f
from civicgrid.centres.models import CoPart, DutyMode, DutySummons

from .test_centres import line

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/centres/rota" in paths
    assert "/api/centres/cases/{number}/summons" in paths
    assert "/api/centres/cases/{number}/parts" in paths
    assert "/api/centres/parts/{part_id}/reply" in paths


def test_the_rota_lists_the_units_on_duty_to_the_centre_only(
    client, dispatcher, handler, district, police, water
):
    line(district, police, DutyMode.PERMANENT)
    line(district, water, DutyMode.ROTATING, days=(2, 8))  # next week's turn
    answer = client.get("/api/centres/rota", headers=bearer(dispatcher))
    assert answer.status_code == 200
    assert [row["unit_name"] for row in answer.json()] == ["区公安分局"]
    assert answer.json()[0]["mode"] == "permanent"
    assert client.get("/api/centres/rota", headers=bearer(handler)).status_code == 403


def test_the_centre_summons_the_unit_on_duty_through_the_api(
    client, new_case, dispatcher, grid_worker, district, police
):
    stationing = line(district, police, DutyMode.PERMANENT)
    url = f"/api/centres/cases/{new_case.number}/summons"
    empty = client.post(
        url,
        {"stationing": stationing.pk, "note": " "},
        "application/json",
        headers=bearer(dispatcher),
    )
    assert empty.status_code == 400
    refused = client.post(
        url,
        {"stationing": stationing.pk, "note": "来人"},
        "application/json",
        headers=bearer(grid_worker),
    )
    assert refused.status_code == 403
    assert not DutySummons.objects.exists()
    made = client.post(
        url,
        {"stationing": stationing.pk, "note": "现场需要民警"},
        "application/json",
        headers=bearer(dispatcher),
    )
    assert made.status_code == 201
    assert made.json()["unit_name"] == "区公安分局"
    assert CaseEvent.objects.filter(case=new_case, action="stationed_summoned").exists()


def test_a_co_unit_reads_and_replies_to_its_part_through_the_api(
    client,
    co_dispatched,
    handler,
    water,
):
    helper = f.make_user(Role.HANDLER, department=water, username="waterman")
    parts = client.get(f"/api/centres/cases/{co_dispatched.number}/parts", headers=bearer(handler))
    assert parts.status_code == 200
    (part,) = parts.json()
    assert part["unit_name"] == "区水务局"
    assert part["replied_at"] is None
    url = f"/api/centres/parts/{part['id']}/reply"
    refused = client.post(url, {"reply": "不是我们的"}, "application/json", headers=bearer(handler))
    assert refused.status_code == 403
    done = client.post(url, {"reply": "已关闭阀门"}, "application/json", headers=bearer(helper))
    assert done.status_code == 200
    assert done.json()["reply"] == "已关闭阀门"
    again = client.post(url, {"reply": "再说一次"}, "application/json", headers=bearer(helper))
    assert again.status_code == 400
    assert CoPart.objects.get(pk=part["id"]).reply == "已关闭阀门"
