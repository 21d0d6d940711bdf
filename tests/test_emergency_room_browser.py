"""The command room's full-screen map in headless Chromium, in Chinese: the incident, a
red warning sent by a second commander and the resources are drawn as layers the layer
control toggles, the 1-3-5 minute circles around the incident, the wall mode without
chrome, and the htmx refresh bringing in a new incident. Screenshots go to
``test-artifacts/``."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.emergency import services, warning_flow
from civicgrid.emergency.resources import Expert, Shelter, Team, Warehouse

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_command_room_map_shows_incidents_warnings_and_resources_as_layers(
    live_server, district, new_page, sign_in, shot
):
    commander = f.make_user(Role.COMMANDER, regions=[district["district"]], username="commander")
    second = f.make_user(Role.COMMANDER, regions=[district["district"]], username="second")
    x, y = f.point_in(district["grid11"])
    services.open_incident(
        actor=commander,
        title="广利河水位超警戒",
        type_code="101",
        severity="larger",
        lng=x,
        lat=y,
        radius_m=800,
    )
    Team.objects.create(name="区防汛抢险队", skills=["flood"], size=50, lng=x + 0.01, lat=y)
    Warehouse.objects.create(name="区防汛物资仓库", lng=x - 0.01, lat=y)
    Shelter.objects.create(name="区体育馆", capacity=2000, lng=x, lat=y + 0.01)
    Expert.objects.create(name="王工", field="水利", phone="13800001234", lng=x, lat=y - 0.01)
    now = timezone.now()
    draft = warning_flow.draft(
        actor=commander,
        level="red",
        event="暴雨",
        headline="东营区暴雨红色预警",
        area_desc="东营区",
        lng=x,
        lat=y,
        radius_m=4000,
        onset=now,
        expires=now + timedelta(hours=6),
    )
    warning_flow.approve(draft, actor=second)
    base = live_server.url

    room = sign_in(new_page(), base, "commander")
    room.goto(f"{base}/emergency/room/")
    room.wait_for_selector('#room-map[data-drawn="1/1"]')
    assert room.locator("#room-bar").is_visible()
    # The layer control: incidents, warnings, circles and the four kinds of resources.
    overlays = room.locator(".leaflet-control-layers-overlays label")
    assert overlays.count() == 7
    drawn = room.locator("path.leaflet-interactive").count()
    # incident + its radius, 3 circles, the warning, 4 resources
    assert drawn >= 10
    assert "13800001234" not in room.content()
    shot(room, "emergency-room-map")

    # Turning teams and experts off (the 5th and 7th layers) takes their markers away.
    overlays.nth(4).locator("input").uncheck()
    overlays.nth(6).locator("input").uncheck()
    assert room.locator("path.leaflet-interactive").count() == drawn - 2

    # The wall mode: no bar, only the map, the legend and the clock.
    room.goto(f"{base}/emergency/room/?wall=1")
    room.wait_for_selector('#room-map[data-drawn="1/1"]')
    assert not room.locator("#room-bar").is_visible()
    assert room.locator(".topbar").count() == 0
    shot(room, "emergency-room-wall")

    # A new incident arrives; the htmx refresh (every 30 s, triggered here) draws it.
    services.open_incident(
        actor=commander, title="化工园区泄漏", type_code="2", severity="major", lng=x + 0.02, lat=y
    )
    room.evaluate("htmx.trigger('#room-data', 'every 30s')")
    room.evaluate("htmx.ajax('GET', '/emergency/room/data/', {target: '#room-data'})")
    room.wait_for_selector('#room-map[data-drawn="2/1"]')
