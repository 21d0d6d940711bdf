"""/api/emergency resources: nearest, deployments and their moves, shipments, stock."""

import pytest

from civicgrid.emergency.resources import Item, Stock, Team, Warehouse

from .factories import open_flood
from .test_api import bearer

pytestmark = pytest.mark.django_db


def test_the_resource_paths_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/emergency/incidents/{incident_id}/nearest",
        "/api/emergency/incidents/{incident_id}/deployments",
        "/api/emergency/deployments/{deployment_id}/{move}",
        "/api/emergency/incidents/{incident_id}/shipments",
        "/api/emergency/stock",
    ):
        assert path in paths


def test_the_nearest_team_is_sent_and_sandbags_shipped_through_the_api(
    client, commander, district, water, water_handler
):
    incident = open_flood(commander, district)
    team = Team.objects.create(
        name="防汛抢险队",
        unit=water,
        skills=["flood"],
        size=50,
        lng=incident.lng + 0.01,
        lat=incident.lat,
    )
    sandbags = Item.objects.create(code="03010101", name="沙袋", unit_of_measure="条")
    wh = Warehouse.objects.create(name="区防汛仓库", lng=incident.lng, lat=incident.lat + 0.02)
    Stock.objects.create(warehouse=wh, item=sandbags, quantity=1000, minimum=200)
    headers = bearer(commander)
    base = f"/api/emergency/incidents/{incident.pk}"
    found = client.get(f"{base}/nearest?kind=teams&skill=flood", headers=headers).json()
    assert found["resources"][0]["name"] == "防汛抢险队"
    assert [c["minutes"] for c in found["circles"]] == [1, 3, 5]
    sent = client.post(
        f"{base}/deployments", {"team": team.pk}, content_type="application/json", headers=headers
    )
    assert sent.status_code == 200, sent.content
    moved = client.post(
        f"/api/emergency/deployments/{sent.json()['id']}/acknowledge", headers=bearer(water_handler)
    )
    assert moved.json()["status"] == "acknowledged"
    held = client.get(f"{base}/nearest?kind=warehouses&item=03010101", headers=headers).json()
    assert held["resources"][0]["quantity"] == 1000
    shipped = client.post(
        f"{base}/shipments",
        {"warehouse": wh.pk, "item": "03010101", "quantity": 900},
        content_type="application/json",
        headers=headers,
    )
    assert shipped.json()["left"] == 100
    low = client.get("/api/emergency/stock?low_only=true", headers=headers).json()
    assert [(s["warehouse"], s["quantity"]) for s in low] == [("区防汛仓库", 100)]


def test_bad_resource_requests_are_refused_clearly(client, commander, district, outsider):
    incident = open_flood(commander, district)
    sandbags = Item.objects.create(code="03010101", name="沙袋", unit_of_measure="条")
    wh = Warehouse.objects.create(name="库", lng=incident.lng, lat=incident.lat)
    Stock.objects.create(warehouse=wh, item=sandbags, quantity=5)
    headers = bearer(commander)
    base = f"/api/emergency/incidents/{incident.pk}"
    assert client.get(f"{base}/nearest?kind=boats", headers=headers).status_code == 400
    too_many = client.post(
        f"{base}/shipments",
        {"warehouse": wh.pk, "item": "03010101", "quantity": 6},
        content_type="application/json",
        headers=headers,
    )
    assert too_many.status_code == 400
    assert "holds only 5" in too_many.json()["message"]
    assert Stock.objects.get(warehouse=wh).quantity == 5
    assert client.get(f"{base}/nearest?kind=teams", headers=bearer(outsider)).status_code == 404
    assert client.get("/api/emergency/stock", headers=bearer(outsider)).status_code == 403
