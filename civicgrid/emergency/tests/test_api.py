"""/api/emergency: incidents, the plan start, the level, reports, tasks, plans as JSON."""

import pytest

from civicgrid.accounts.models import ApiToken

from .factories import flood_plan_data, open_flood

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/emergency/incidents",
        "/api/emergency/incidents/{incident_id}/plan",
        "/api/emergency/incidents/{incident_id}/level",
        "/api/emergency/tasks/{task_id}/acknowledge",
        "/api/emergency/plans",
    ):
        assert path in paths


def test_the_command_room_starts_and_raises_through_the_api_and_the_unit_acknowledges(
    client, commander, district, flood_plan, water_handler, outsider
):
    incident = open_flood(commander, district)
    headers = bearer(commander)
    started = client.post(
        f"/api/emergency/incidents/{incident.pk}/plan",
        {"plan": "flood", "level": 4, "version": 0},
        content_type="application/json",
        headers=headers,
    )
    assert started.status_code == 200, started.content
    body = started.json()
    assert (body["level"], body["version"], len(body["tasks"])) == (4, 1, 2)
    undefined = client.post(
        f"/api/emergency/incidents/{incident.pk}/level",
        {"level": 1, "version": 1},
        content_type="application/json",
        headers=headers,
    )
    assert undefined.status_code == 400
    assert "does not define level I" in undefined.json()["message"]
    raised = client.post(
        f"/api/emergency/incidents/{incident.pk}/level",
        {"level": 3, "version": 1},
        content_type="application/json",
        headers=headers,
    )
    assert raised.json()["level"] == 3
    stale = client.post(
        f"/api/emergency/incidents/{incident.pk}/level",
        {"level": 4, "version": 1},
        content_type="application/json",
        headers=headers,
    )
    assert stale.status_code == 409
    task = incident.tasks.get(key="patrol")
    hidden = client.post(f"/api/emergency/tasks/{task.pk}/acknowledge", headers=bearer(outsider))
    assert hidden.status_code == 404
    done = client.post(f"/api/emergency/tasks/{task.pk}/acknowledge", headers=bearer(water_handler))
    assert done.json()["status"] == "acknowledged"


def test_a_plan_goes_out_and_comes_back_through_the_api(client, commander, water, works):
    headers = bearer(commander)
    data = flood_plan_data(water, works)
    data["levels"][0]["level"] = "V"
    refused = client.post(
        "/api/emergency/plans", {"plan": data}, content_type="application/json", headers=headers
    )
    assert refused.status_code == 400
    assert "levels[0].level" in refused.json()["message"]
    data["levels"][0]["level"] = "IV"
    made = client.post(
        "/api/emergency/plans", {"plan": data}, content_type="application/json", headers=headers
    )
    assert made.json()["code"] == "flood"
    out = client.get("/api/emergency/plans/flood", headers=headers).json()
    assert [s["key"] for s in out["steps"]] == ["patrol", "warn", "sandbags"]
