"""The incident page's resources: nearest teams and sandbags, sent and shipped, moved."""

import json

import pytest
from django.urls import reverse

from civicgrid.emergency.resources import Item, Shelter, Stock, Team, Warehouse

from .factories import open_flood

pytestmark = pytest.mark.django_db


def test_the_command_room_sends_the_nearest_team_and_ships_sandbags_from_the_page(
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
    wh = Warehouse.objects.create(name="区防汛仓库", lng=incident.lng, lat=incident.lat + 0.01)
    Stock.objects.create(warehouse=wh, item=sandbags, quantity=300)
    Shelter.objects.create(name="体育馆", capacity=2000, lng=incident.lng, lat=incident.lat)
    client.force_login(commander)
    page = client.get(reverse("emergency:incident", args=[incident.pk]))
    text = page.content.decode()
    assert "防汛抢险队" in text
    assert "区防汛仓库" in text
    data = json.loads(page.context["map_data"] and json.dumps(page.context["map_data"]))
    assert [c["minutes"] for c in data["circles"]] == [1, 3, 5]
    assert {r["kind"] for r in data["resources"]} == {"team", "warehouse", "shelter"}
    act = lambda action: reverse("emergency:act", args=[incident.pk, action])  # noqa: E731
    client.post(act("deploy"), {"team": team.pk})
    too_many = client.post(
        act("ship"), {"warehouse": wh.pk, "item": "03010101", "quantity": 301}, follow=True
    )
    assert "holds only 300" in too_many.content.decode()
    client.post(act("ship"), {"warehouse": wh.pk, "item": "03010101", "quantity": 200})
    assert Stock.objects.get(warehouse=wh).quantity == 100
    client.force_login(water_handler)
    deployment = incident.deployments.get()
    client.post(act("move"), {"deployment": deployment.pk, "move": "acknowledge"})
    deployment.refresh_from_db()
    assert deployment.status == "acknowledged"
