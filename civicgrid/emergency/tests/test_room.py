"""The command room's map, road travel estimates, an expert's phone revealed on the
incident page, a warehouse keeper's receipts (入库), and the warnings API."""

import json
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.tests import factories as f
from civicgrid.core.models import PersonalDataRead
from civicgrid.emergency import resourcing
from civicgrid.emergency.resources import Expert, Item, Receipt, Stock, Team, Warehouse

from . import cap12
from .factories import make_commander, open_flood
from .test_api import bearer


@pytest.fixture
def flood(commander, district):
    return open_flood(commander, district)


@pytest.fixture
def sandbags(db):
    return Item.objects.create(code="03010101", name="沙袋", unit_of_measure="条")


# --- road travel time ---------------------------------------------------------------


def test_the_road_estimate_takes_the_detour_and_each_road_class_speed(settings):
    settings.EMERGENCY_ROAD = {
        "detour": 1.5,
        "classes": [["street", 3, 30], ["highway", None, 90]],
    }
    # 1 km straight → 1.5 km of street at 30 km/h = 3 minutes.
    assert resourcing.travel_minutes(1) == 3.0
    # 10 km straight → 15 km: 3 on streets (6 min) and 12 on the highway (8 min).
    assert resourcing.travel_minutes(10) == 14.0
    # The circles are the straight-line reach of 1, 3 and 5 minutes by that estimate.
    assert [c["radius_m"] for c in resourcing.circles()] == [333, 1000, 1667]


def test_the_nearest_resources_carry_their_estimated_travel_time(flood, commander):
    Team.objects.create(name="近队", skills=["flood"], lng=flood.lng + 0.01, lat=flood.lat)
    found = resourcing.nearest(flood, "teams", actor=commander)
    assert found[0].travel_min == resourcing.travel_minutes(found[0].distance_km)
    assert found[0].travel_min > 0


# --- an expert's phone --------------------------------------------------------------


def test_the_incident_page_masks_an_experts_phone_and_a_reveal_is_recorded(
    client, flood, commander
):
    expert = Expert.objects.create(
        name="王工", field="水利", phone="13800001234", lng=flood.lng, lat=flood.lat + 0.01
    )
    client.force_login(commander)
    page = client.get(f"/emergency/{flood.pk}/").content.decode()
    assert "138****1234" in page
    assert "13800001234" not in page
    reply = client.post(
        f"/emergency/experts/{expert.pk}/phone/",
        {"reason": f"incident {flood.pk}"},
        HTTP_HX_REQUEST="true",
    )
    assert "13800001234" in reply.content.decode()
    read = PersonalDataRead.objects.get()
    assert (read.user, read.field, read.subject) == (
        commander,
        "expert phone",
        f"expert {expert.pk}",
    )


def test_a_handler_cannot_reveal_an_experts_phone(client, flood, water_handler):
    expert = Expert.objects.create(name="王工", field="水利", phone="13800001234", lng=1, lat=1)
    client.force_login(water_handler)
    assert client.post(f"/emergency/experts/{expert.pk}/phone/").status_code == 403
    assert not PersonalDataRead.objects.exists()


# --- receipts ---------------------------------------------------------------------


def test_the_keeper_records_a_receipt_and_the_stock_rises(client, water, water_handler, sandbags):
    house = Warehouse.objects.create(name="区防汛仓库", unit=water, lng=118.5, lat=37.4)
    Stock.objects.create(warehouse=house, item=sandbags, quantity=40, minimum=100)
    client.force_login(water_handler)
    listing = client.get("/emergency/warehouses/").content.decode()
    assert "区防汛仓库" in listing
    assert "low stock" in listing
    reply = client.post(
        f"/emergency/warehouses/{house.pk}/receive/",
        {"item": "03010101", "quantity": "500", "source": "市应急物资储备库调拨"},
        follow=True,
    )
    assert "540 in stock now" in reply.content.decode()
    assert Stock.objects.get(warehouse=house, item=sandbags).quantity == 540
    assert Receipt.objects.get().stock_after == 540


def test_a_receipt_of_a_new_item_starts_its_stock_row(water, water_handler, sandbags):
    house = Warehouse.objects.create(name="新库", unit=water, lng=118.5, lat=37.4)
    resourcing.receive(house, sandbags, 10, actor=water_handler)
    assert Stock.objects.get(warehouse=house, item=sandbags).quantity == 10


def test_bad_receipts_and_strangers_are_refused(client, water, works_handler, commander, sandbags):
    house = Warehouse.objects.create(name="区防汛仓库", unit=water, lng=118.5, lat=37.4)
    with pytest.raises(ActionRefused):
        resourcing.receive(house, sandbags, 10, actor=works_handler)
    with pytest.raises(InvalidAction, match="whole quantity"):
        resourcing.receive(house, sandbags, 0, actor=commander)
    client.force_login(works_handler)
    assert client.get(f"/emergency/warehouses/{house.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_four_keepers_receiving_at_once_all_count(district, sandbags):
    if connection.vendor != "postgresql":
        pytest.skip("the row lock race needs PostgreSQL (SQLite serialises every writer)")
    commander = make_commander(district)
    water = f.make_department("区水务局", code="SLJ")
    keepers = [f.make_user("handler", department=water, username=f"k{i}") for i in range(4)]
    house = Warehouse.objects.create(name="区防汛仓库", unit=water, lng=118.5, lat=37.4)
    errors: list = []
    barrier = threading.Barrier(4)

    def run(keeper):
        try:
            barrier.wait()
            resourcing.receive(house, sandbags, 25, actor=keeper)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in keepers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Stock.objects.get(warehouse=house, item=sandbags).quantity == 100
    assert sorted(Receipt.objects.values_list("stock_after", flat=True)) == [25, 50, 75, 100]
    assert commander  # the district's command room exists; nobody else touched the row


# --- the command room map -----------------------------------------------------------


def _room_json(html: str) -> dict:
    found = re.search(r'<script id="room-data-json" type="application/json">(.*?)</script>', html)
    assert found, "the map's data is on the page"
    return json.loads(found.group(1))


def test_the_command_room_map_carries_incidents_warnings_and_resources(
    client, flood, commander, district
):
    Team.objects.create(name="防汛队", lng=flood.lng + 0.01, lat=flood.lat)
    Expert.objects.create(name="王工", field="水利", phone="13800001234", lng=1, lat=1)
    client.force_login(commander)
    page = client.get("/emergency/room/").content.decode()
    assert 'id="room-map"' in page
    assert "room-data-json" in page
    assert 'hx-trigger="every 30s"' in page
    assert "13800001234" not in page
    data = _room_json(page)
    assert [i["title"] for i in data["incidents"]] == [flood.title]
    assert [t["name"] for t in data["teams"]] == ["防汛队"]
    assert data["experts"][0]["field"] == "水利"
    assert "phone" not in data["experts"][0]
    wall = client.get("/emergency/room/?wall=1").content.decode()
    assert "room-wall" in wall
    again = _room_json(client.get("/emergency/room/data/").content.decode())
    assert [i["title"] for i in again["incidents"]] == [flood.title]


def test_a_handler_does_not_open_the_command_room(client, water_handler):
    client.force_login(water_handler)
    assert client.get("/emergency/room/").status_code == 403


# --- the warnings API ---------------------------------------------------------------


def test_a_warning_goes_through_the_api_and_its_cap_holds(client, flood, commander, district):
    second = make_commander(district, username="commander2")
    now = timezone.now()
    body = {
        "level": "yellow",
        "event": "大风",
        "headline": "大风黄色预警",
        "area_desc": "东营区",
        "lng": flood.lng,
        "lat": flood.lat,
        "radius_m": 5000,
        "expires": (now + timedelta(hours=4)).isoformat(),
        "incident": flood.pk,
    }
    made = client.post(
        "/api/emergency/warnings", body, content_type="application/json", headers=bearer(commander)
    )
    assert made.status_code == 200, made.content
    wid = made.json()["id"]
    assert made.json()["state"] == "draft"
    again = client.post(f"/api/emergency/warnings/{wid}/approve", headers=bearer(commander))
    assert again.status_code == 403
    sent = client.post(f"/api/emergency/warnings/{wid}/approve", headers=bearer(second))
    assert sent.json()["state"] == "sent"
    assert sent.json()["in_force"]
    twice = client.post(f"/api/emergency/warnings/{wid}/approve", headers=bearer(second))
    assert twice.status_code == 409
    xml = client.get(f"/api/emergency/warnings/{wid}/cap", headers=bearer(second))
    assert cap12.problems(xml.content) == []
    lift = client.post(
        f"/api/emergency/warnings/{wid}/cancel",
        {"note": "风力减弱"},
        content_type="application/json",
        headers=bearer(second),
    )
    assert lift.json()["msg_type"] == "Cancel"
    assert lift.json()["replaces"] == wid
    in_force = client.get("/api/emergency/warnings?in_force=true", headers=bearer(commander))
    assert [w["id"] for w in in_force.json()] == [wid]


def test_a_receipt_through_the_api(client, water, water_handler, sandbags):
    house = Warehouse.objects.create(name="区防汛仓库", unit=water, lng=118.5, lat=37.4)
    reply = client.post(
        f"/api/emergency/warehouses/{house.pk}/receipts",
        {"item": "03010101", "quantity": 30},
        content_type="application/json",
        headers=bearer(water_handler),
    )
    assert reply.status_code == 200, reply.content
    assert reply.json()["stock_after"] == 30
