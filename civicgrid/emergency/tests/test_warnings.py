"""Warnings (预警): drafted, approved by another commander, sent to the units in the area;
updated and lifted as new messages naming the earlier ones; CAP 1.2 XML; the public page."""

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from civicgrid.cases.lifecycle import ActionRefused, ConcurrentUpdate, InvalidAction
from civicgrid.cases.models import CaseEvent
from civicgrid.cases.tests import factories as f
from civicgrid.emergency import cap, warning_flow
from civicgrid.emergency.models import LogEntry
from civicgrid.emergency.resources import Team, Warehouse
from civicgrid.emergency.warning import MessageType, Warning, WarningState

from . import cap12
from .factories import make_commander, open_flood

NS = {"cap": cap12.NS}


@pytest.fixture
def second(district):
    return make_commander(district, username="commander2")


@pytest.fixture
def flood(commander, district):
    return open_flood(commander, district)


def _fields(incident, **overrides):
    now = timezone.now()
    fields = {
        "level": "orange",
        "event": "暴雨",
        "category": "Met",
        "urgency": "Immediate",
        "headline": "东营区暴雨橙色预警",
        "description": "未来6小时降雨量将达80毫米以上。",
        "instruction": "停止户外作业，远离河道和低洼地带。",
        "area_desc": "东营区广利河沿线",
        "lng": incident.lng,
        "lat": incident.lat,
        "radius_m": 3000,
        "onset": now,
        "expires": now + timedelta(hours=6),
    }
    fields.update(overrides)
    return fields


def _sent(flood, commander, second, **overrides):
    draft = warning_flow.draft(actor=commander, incident=flood, **_fields(flood, **overrides))
    return warning_flow.approve(draft, actor=second)


def test_a_warning_is_sent_only_when_another_commander_approves_it(flood, commander, second):
    draft = warning_flow.draft(actor=commander, incident=flood, **_fields(flood))
    assert draft.state == WarningState.DRAFT
    assert not warning_flow.public_warnings().exists()
    with pytest.raises(ActionRefused, match="another commander"):
        warning_flow.approve(draft, actor=commander)
    sent = warning_flow.approve(draft, actor=second)
    assert sent.state == WarningState.SENT
    assert sent.approved_by == second
    assert sent.in_force
    assert list(warning_flow.public_warnings()) == [sent]
    assert LogEntry.objects.filter(incident=flood, text__contains="东营区暴雨橙色预警").exists()


def test_the_units_in_the_area_are_told(
    flood, commander, second, django_capture_on_commit_callbacks
):
    water = f.make_department("区水务局", code="SLJ")
    far = f.make_department("远方单位", code="FAR")
    handler = f.make_user("handler", department=water, username="water")
    far_handler = f.make_user("handler", department=far, username="far")
    Team.objects.create(name="防汛队", unit=water, lng=flood.lng + 0.01, lat=flood.lat)
    Warehouse.objects.create(name="远库", unit=far, lng=flood.lng + 0.5, lat=flood.lat)
    with django_capture_on_commit_callbacks(execute=True):
        sent = _sent(flood, commander, second)
    assert list(sent.units.values_list("code", flat=True)) == ["SLJ"]
    event = CaseEvent.objects.get(case=flood.case, action="emergency_warning_sent")
    assert event.data["department_ids"] == [water.pk]
    assert handler.notifications.filter(event=event).exists()
    assert not far_handler.notifications.exists()


def test_a_drawn_polygon_covers_the_units_inside_it(flood, commander, second):
    water = f.make_department("区水务局", code="SLJ")
    Warehouse.objects.create(name="库内", unit=water, lng=flood.lng, lat=flood.lat)
    x, y = flood.lng, flood.lat
    area = {
        "type": "Polygon",
        "coordinates": [
            [[x - 0.01, y - 0.01], [x + 0.01, y - 0.01], [x, y + 0.01], [x - 0.01, y - 0.01]]
        ],
    }
    sent = _sent(flood, commander, second, area=area, lng=None, lat=None, radius_m=None)
    assert list(sent.units.all()) == [water]


def test_bad_drafts_are_refused_clearly(flood, commander):
    with pytest.raises(InvalidAction, match="blue, yellow, orange or red"):
        warning_flow.draft(actor=commander, **_fields(flood, level="purple"))
    with pytest.raises(InvalidAction, match="centre and a radius"):
        warning_flow.draft(actor=commander, **_fields(flood, lng=None, lat=None, radius_m=None))
    now = timezone.now()
    with pytest.raises(InvalidAction, match="end after it starts"):
        warning_flow.draft(actor=commander, **_fields(flood, onset=now, expires=now))


def test_someone_outside_the_command_room_drafts_nothing(flood, district):
    leader = f.make_user("leader", regions=[district["district"]], username="leader")
    with pytest.raises(ActionRefused):
        warning_flow.draft(actor=leader, **_fields(flood))


def test_an_update_and_a_lift_are_new_messages_naming_the_earlier_ones(flood, commander, second):
    first = _sent(flood, commander, second)
    update = warning_flow.draft_update(first, actor=commander, level="red", headline="升级为红色")
    assert update.msg_type == MessageType.UPDATE
    assert update.replaces == first
    with pytest.raises(InvalidAction, match="already waiting"):
        warning_flow.draft_cancel(first, actor=commander)
    warning_flow.approve(update, actor=second)
    first.refresh_from_db()
    assert first.state == WarningState.REPLACED
    assert not first.in_force
    lift = warning_flow.draft_cancel(first, actor=second, note="雨停")
    warning_flow.approve(lift, actor=commander)
    assert not warning_flow.public_warnings().exists()
    refs = ET.fromstring(cap.to_xml(lift)).findtext("cap:references", namespaces=NS).split()
    assert [r.split(",")[1] for r in refs] == [cap.identifier(first), cap.identifier(update)]
    assert [m.msg_type for m in warning_flow.history(lift)] == ["Alert", "Update", "Cancel"]


def test_of_two_commanders_approving_the_same_draft_exactly_one_sends_it(
    flood, commander, second, district
):
    first = _sent(flood, commander, second)
    update = warning_flow.draft_update(first, actor=commander, headline="更新")
    stale = Warning.objects.get(pk=update.pk)  # the other commander's page, same moment
    third = make_commander(district, username="commander3")
    warning_flow.approve(update, actor=second)
    with pytest.raises(ConcurrentUpdate, match="already approved"):
        warning_flow.approve(stale, actor=third)
    assert Warning.objects.filter(state=WarningState.SENT).count() == 1


def test_a_second_draft_replacing_the_same_message_is_refused(flood, commander, second):
    first = _sent(flood, commander, second)
    warning_flow.draft_update(first, actor=commander, headline="更新")
    with pytest.raises(InvalidAction, match="already waiting"):
        warning_flow.draft_update(first, actor=second, headline="另一个更新")


def test_the_cap_message_holds_the_cap_1_2_structure(flood, commander, second):
    sent = _sent(flood, commander, second)
    xml = cap.to_xml(sent)
    assert cap12.problems(xml) == []
    root = ET.fromstring(xml)
    assert root.tag == "{urn:oasis:names:tc:emergency:cap:1.2}alert"
    assert root.findtext("cap:status", namespaces=NS) == "Actual"
    assert root.findtext("cap:msgType", namespaces=NS) == "Alert"
    info = root.find("cap:info", NS)
    assert info.findtext("cap:severity", namespaces=NS) == "Severe"  # orange
    assert info.findtext("cap:event", namespaces=NS) == "暴雨"
    circle = info.findtext("cap:area/cap:circle", namespaces=NS)
    assert circle == f"{flood.lat:.6f},{flood.lng:.6f} 3"


def test_a_polygon_is_lat_lon_pairs_closed_and_a_drill_is_an_exercise(commander, second):
    from civicgrid.emergency import services

    drill = services.open_incident(
        actor=commander,
        drill=True,
        title="演练",
        type_code="101",
        severity="general",
        lng=118.55,
        lat=37.45,
    )
    area = {
        "type": "Polygon",
        "coordinates": [[[118.5, 37.4], [118.6, 37.4], [118.6, 37.5], [118.5, 37.4]]],
    }
    draft = warning_flow.draft(
        actor=commander,
        incident=drill,
        **_fields(drill, area=area, lng=None, lat=None, radius_m=None),
    )
    assert ET.fromstring(cap.to_xml(draft)).findtext("cap:status", namespaces=NS) == "Draft"
    sent = warning_flow.approve(draft, actor=second)
    xml = cap.to_xml(sent)
    assert cap12.problems(xml) == []
    root = ET.fromstring(xml)
    assert root.findtext("cap:status", namespaces=NS) == "Exercise"
    polygon = root.findtext("cap:info/cap:area/cap:polygon", namespaces=NS).split()
    assert polygon[0] == "37.400000,118.500000" == polygon[-1]
    assert not warning_flow.public_warnings().exists()  # a drill never goes public


def test_the_structure_check_itself_refuses_a_broken_message():
    broken = (
        f'<alert xmlns="{cap12.NS}"><sender>a b</sender><identifier>x</identifier>'
        "<sent>2026-01-01T00:00:00Z</sent><status>Real</status><msgType>Update</msgType>"
        "<scope>Public</scope></alert>"
    ).encode()
    found = cap12.problems(broken)
    assert any("out of the schema's order" in p for p in found)
    assert any("'Real'" in p for p in found)
    assert any("not a CAP dateTime" in p for p in found)
    assert any("<references>" in p for p in found)
    # The OASIS schema refuses it too, on its own.
    schema = cap12.schema_problems(broken)
    assert any("sender" in p and "not expected" in p for p in schema)


# --- pages ------------------------------------------------------------------------------


def test_the_command_room_drafts_and_a_second_commander_sends_on_the_pages(
    client, flood, commander, second
):
    client.force_login(commander)
    onset = timezone.localtime()
    fields = {
        **{k: v for k, v in _fields(flood).items() if k not in ("onset", "expires")},
        "onset": onset.strftime("%Y-%m-%dT%H:%M"),
        "expires": (onset + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "incident": flood.pk,
        "datum": "wgs84",
    }
    reply = client.post("/emergency/warnings/draft/", fields, follow=True)
    assert "another commander approves it" in reply.content.decode()
    draft = Warning.objects.get()
    assert 'id="approve-form"' not in reply.content.decode()  # not for its drafter
    client.force_login(second)
    page = client.get(f"/emergency/warnings/{draft.pk}/").content.decode()
    assert 'id="approve-form"' in page
    reply = client.post(f"/emergency/warnings/{draft.pk}/approve/", follow=True)
    assert "The warning is sent" in reply.content.decode()
    xml = client.get(f"/emergency/warnings/{draft.pk}/cap.xml")
    assert xml["Content-Type"].startswith("application/xml")
    assert cap12.problems(xml.content) == []
    listing = client.get("/emergency/warnings/").content.decode()
    assert "东营区暴雨橙色预警" in listing
    assert "warnings-map-data" in listing


def test_the_public_page_shows_only_what_may_leave(client, flood, commander, second):
    _sent(
        flood,
        commander,
        second,
        description="联系人张三 13812345678",
        instruction="请拨打13812345678转移",
    )
    warning_flow.draft(actor=commander, **_fields(flood, headline="尚未批准的草稿"))
    page = client.get("/emergency/warnings/public/").content.decode()
    assert "东营区暴雨橙色预警" in page
    assert "尚未批准的草稿" not in page
    assert "13812345678" not in page  # masked by the publication rule
    assert "commander" not in page  # neither the drafter nor the approver


def test_staff_outside_see_no_drafts(client, flood, commander, district):
    warning_flow.draft(actor=commander, **_fields(flood, headline="草稿预警"))
    leader = f.make_user("leader", regions=[district["district"]], username="leader")
    client.force_login(leader)
    assert "草稿预警" not in client.get("/emergency/warnings/").content.decode()
