"""The city map's layer of warnings in force (from the emergency app)."""

import json
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from civicgrid.emergency import warning_flow
from civicgrid.emergency.tests.factories import make_commander, open_flood


def _warning(incident, drafter, approver, headline, level):
    now = timezone.now()
    draft = warning_flow.draft(
        actor=drafter,
        incident=incident,
        level=level,
        event="暴雨",
        category="Met",
        urgency="Immediate",
        headline=headline,
        description="未来6小时降雨量将达80毫米以上。",
        instruction="远离河道。",
        area_desc="广利河沿线",
        lng=incident.lng,
        lat=incident.lat,
        radius_m=3000,
        onset=now,
        expires=now + timedelta(hours=6),
    )
    return warning_flow.approve(draft, actor=approver)


def _map_warnings(client) -> list[dict]:
    html = client.get(reverse("analytics:map")).content.decode()
    found = re.search(r'<script id="map-warnings" type="application/json">(.*?)</script>', html)
    assert found, "the city map carries no warnings layer"
    assert "/static/emergency/city-warnings.js" in html
    return json.loads(found.group(1))


def test_the_city_map_shows_warnings_in_force_and_not_lifted_ones(client, leader, district):
    commander = make_commander(district)
    second = make_commander(district, username="commander2")
    flood = open_flood(commander, district)
    _warning(flood, commander, second, "广利河暴雨橙色预警", "orange")
    lifted = _warning(flood, second, commander, "已解除的蓝色预警", "blue")
    lift = warning_flow.draft_cancel(lifted, actor=commander, note="雨停")
    warning_flow.approve(lift, actor=second)

    client.force_login(leader)
    shown = _map_warnings(client)
    assert [(w["headline"], w["level"]) for w in shown] == [("广利河暴雨橙色预警", "orange")]
    assert shown[0]["circle"] == [flood.lng, flood.lat, 3000]
