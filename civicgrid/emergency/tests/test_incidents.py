from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import Case, CaseAccess, CaseEvent
from civicgrid.cases.scope import visible_cases
from civicgrid.cases.tests import factories as f
from civicgrid.emergency import response, services
from civicgrid.emergency.models import (
    AppendOnly,
    Incident,
    IncidentStatus,
    LogEntry,
    ReportKind,
    TaskStatus,
)

from .factories import open_flood

pytestmark = pytest.mark.django_db


def test_the_command_room_opening_an_incident_registers_its_case(commander, district):
    incident = open_flood(commander, district)
    assert incident.case is not None
    assert incident.case.title == "广利河水位超警戒"
    assert incident.status == IncidentStatus.REPORTED
    assert incident.log.get().kind == "opened"
    assert CaseEvent.objects.filter(case=incident.case, action="incident_opened").exists()


def test_an_incident_opened_from_a_case_attaches_to_it(commander, new_case):
    incident = services.open_incident(
        actor=commander, case=new_case, type_code="101", severity="general"
    )
    assert incident.case == new_case
    assert incident.lng == new_case.lng
    assert Case.objects.count() == 1
    with pytest.raises(InvalidAction, match="already an incident"):
        services.open_incident(actor=commander, case=new_case, type_code="101", severity="general")


def test_bad_input_opens_nothing(commander, district):
    cases = Case.objects.count()
    for bad, match in (
        ({"type_code": "999"}, "type of incident"),
        ({"severity": "huge"}, "severity"),
        ({"lng": "east", "lat": 1}, "longitude"),
        ({"lng": 2.0, "lat": 48.0}, "outside China"),
        ({"radius_m": -5}, "radius"),
        ({"area": '{"type": "Point", "coordinates": [118, 37]}'}, "polygon"),
        ({"area": "not json"}, "not GeoJSON"),
        (
            {
                "area": {
                    "type": "Polygon",
                    "coordinates": [[[118, 37], [119, 38], [119, 37], [118, 38], [118, 37]]],
                }
            },
            "not a valid polygon",
        ),
        ({"title": ""}, "title"),
    ):
        with pytest.raises(InvalidAction, match=match):
            open_flood(commander, district, **bad)
    assert Incident.objects.count() == 0
    assert Case.objects.count() == cases


def test_a_drawn_area_is_kept_and_gives_the_point(commander, district):
    x, y = f.point_in(district["grid11"])
    square = {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + 0.002, y], [x + 0.002, y + 0.002], [x, y + 0.002], [x, y]]],
    }
    incident = open_flood(commander, district, lng=None, lat=None, area=square)
    assert incident.area["type"] == "Polygon"
    assert x < incident.lng < x + 0.002


def test_someone_outside_the_command_room_cannot_open_an_incident(dispatcher, outsider, district):
    for person in (dispatcher, outsider):
        with pytest.raises(ActionRefused):
            open_flood(person, district)


def test_a_commander_of_another_district_cannot_open_one_here(other_district, district):
    from .factories import make_commander

    elsewhere = make_commander(other_district, username="elsewhere")
    with pytest.raises(ActionRefused):
        open_flood(elsewhere, district)
    assert Incident.objects.count() == 0


def test_grouped_cases_and_the_plan_units_see_each_others_cases(
    commander, district, flood_plan, new_case, handler, bureau, water, water_handler
):
    Case.objects.filter(pk=new_case.pk).update(main_department=bureau)  # dispatched there
    incident = open_flood(commander, district)
    services.group_case(incident, new_case, actor=commander)
    response.start_plan(incident, flood_plan, "IV", actor=commander)
    # The water bureau has a task: it sees the grouped case, the case's bureau the incident's.
    assert visible_cases(water_handler, Case.objects).filter(pk=new_case.pk).exists()
    assert visible_cases(handler, Case.objects).filter(pk=incident.case_id).exists()
    assert CaseAccess.objects.filter(reason="incident", case=new_case, department=water).exists()
    with pytest.raises(InvalidAction, match="already grouped"):
        services.group_case(incident, new_case, actor=commander)


def test_reports_are_numbered_and_late_ones_flagged(commander, district, settings):
    settings.EMERGENCY_REPORT_MINUTES = {"follow_up": 60}
    incident = open_flood(commander, district, severity="major")
    now = timezone.now()
    first = services.file_report(
        incident, "first", "电话首报", actor=commander, now=now + timedelta(minutes=10)
    )
    assert not first.late
    written = services.file_report(
        incident, "written", "书面报告", actor=commander, now=now + timedelta(minutes=90)
    )
    assert written.late
    one = services.file_report(
        incident, "follow_up", "续报一", actor=commander, now=now + timedelta(minutes=100)
    )
    two = services.file_report(
        incident, "follow_up", "续报二", actor=commander, now=now + timedelta(minutes=200)
    )
    assert (one.number, one.late) == (1, False)
    assert (two.number, two.late) == (2, True)
    assert "late" in incident.log.filter(kind="report").last().text
    with pytest.raises(InvalidAction, match="filed already"):
        services.file_report(incident, "first", "again", actor=commander)
    with pytest.raises(InvalidAction, match="End the response"):
        services.file_report(incident, ReportKind.FINAL, "终报", actor=commander)


def test_a_first_report_missed_shows_as_overdue(commander, district):
    incident = open_flood(commander, district)
    later = timezone.now() + timedelta(minutes=31)
    owed = services.expected_reports(incident, now=later)
    assert [(o["kind"], o["overdue"]) for o in owed] == [("first", True)]


def test_the_log_is_append_only(commander, district):
    incident = open_flood(commander, district)
    services.add_log_entry(incident, "order", "转移低洼区群众", actor=commander)
    entry = LogEntry.objects.filter(kind="order").get()
    entry.text = "changed"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(InvalidAction):
        services.add_log_entry(incident, "level", "x", actor=commander)


def test_starting_a_plan_gives_each_unit_its_tasks_and_tells_them(
    commander, district, flood_plan, water, water_handler, django_capture_on_commit_callbacks
):
    incident = open_flood(commander, district)
    with django_capture_on_commit_callbacks(execute=True):
        tasks = response.start_plan(incident, flood_plan, "IV", actor=commander)
    assert sorted(t.key for t in tasks) == ["patrol", "warn"]
    incident.refresh_from_db()
    assert (incident.status, incident.level, incident.lead_unit) == ("responding", 4, water)
    patrol = incident.tasks.get(key="patrol")
    assert patrol.due_at - patrol.created_at == timedelta(minutes=30)
    told = CaseEvent.objects.get(case=incident.case, action="emergency_plan_started")
    assert told.data["department_ids"] == [water.pk]


def test_a_level_the_plan_does_not_define_is_refused(commander, district, flood_plan):
    incident = open_flood(commander, district)
    with pytest.raises(InvalidAction, match="does not define level I"):
        response.start_plan(incident, flood_plan, 1, actor=commander)
    with pytest.raises(InvalidAction, match="response level"):
        response.start_plan(incident, flood_plan, "V", actor=commander)
    assert incident.tasks.count() == 0


def test_a_plan_for_other_incidents_is_refused(commander, district, flood_plan):
    incident = open_flood(commander, district, type_code="202")
    with pytest.raises(InvalidAction, match="does not cover"):
        response.start_plan(incident, flood_plan, 4, actor=commander)


def test_raising_the_level_adds_and_cancels_tasks_and_ending_closes_them(
    commander,
    district,
    flood_plan,
    water_handler,
    works_handler,
    django_capture_on_commit_callbacks,
):
    incident = open_flood(commander, district)
    response.start_plan(incident, flood_plan, 4, actor=commander)
    patrol = incident.tasks.get(key="patrol")
    response.acknowledge(patrol, actor=water_handler)
    incident.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response.change_level(incident, 3, actor=commander, version=incident.version)
    statuses = dict(incident.tasks.values_list("key", "status"))
    assert statuses == {"patrol": "acknowledged", "warn": "cancelled", "sandbags": "open"}
    told = CaseEvent.objects.get(case=incident.case, action="emergency_level_changed")
    assert works_handler.department_ids[0] in told.data["department_ids"]
    with pytest.raises(InvalidAction, match="already at level III"):
        response.change_level(incident, 3, actor=commander)
    response.end_response(incident, actor=commander)
    assert set(incident.tasks.values_list("status", flat=True)) == {"cancelled", "closed"}
    with pytest.raises(InvalidAction):
        response.change_level(incident, 4, actor=commander)


def test_a_stale_version_is_refused(commander, district, flood_plan):
    incident = open_flood(commander, district)
    response.start_plan(incident, flood_plan, 4, actor=commander, version=0)
    from civicgrid.cases.lifecycle import ConcurrentUpdate

    with pytest.raises(ConcurrentUpdate, match="changed this incident meanwhile"):
        response.change_level(incident, 3, actor=commander, version=0)


def test_only_the_tasks_unit_acknowledges_it(
    commander, district, flood_plan, works_handler, water_handler
):
    incident = open_flood(commander, district)
    response.start_plan(incident, flood_plan, 4, actor=commander)
    patrol = incident.tasks.get(key="patrol")
    with pytest.raises(ActionRefused):
        response.acknowledge(patrol, actor=works_handler)
    response.complete(patrol, actor=water_handler, note="已巡查")
    patrol.refresh_from_db()
    assert patrol.status == TaskStatus.DONE
    assert patrol.acknowledged_by == water_handler
    with pytest.raises(InvalidAction, match="done already"):
        response.acknowledge(patrol, actor=water_handler)


def test_the_assessment_needs_the_final_report(commander, district):
    incident = open_flood(commander, district)
    response.end_response(incident, actor=commander)
    with pytest.raises(InvalidAction, match="final report"):
        response.assess(incident, "处置得当", actor=commander)
    services.file_report(incident, "final", "终报", actor=commander)
    response.assess(incident, "处置得当", actor=commander)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ASSESSED


def test_an_alert_over_the_mark_proposes_the_plan_level(commander, district, flood_plan):
    from civicgrid.cases import events
    from civicgrid.emergency.plans import proposals

    incident = open_flood(commander, district)
    assert proposals(incident) == []
    events.record(incident.case, "alert_received", actor=None, data={"values": {"level_m": 3.8}})
    [proposal] = proposals(incident)
    assert (proposal["plan"], proposal["level"]) == (flood_plan, 3)


def test_a_place_clicked_on_gcj02_tiles_is_stored_in_wgs84(commander, district):
    from civicgrid.regions.datum import from_wgs84

    x, y = f.point_in(district["grid11"])
    gx, gy = from_wgs84(x, y, "gcj02")
    square = [[gx, gy], [gx + 0.002, gy], [gx + 0.002, gy + 0.002], [gx, gy]]
    incident = open_flood(
        commander,
        district,
        lng=gx,
        lat=gy,
        datum="gcj02",
        area={"type": "Polygon", "coordinates": [square]},
    )
    assert abs(incident.lng - x) < 1e-5
    assert abs(incident.lat - y) < 1e-5
    assert abs(incident.area["coordinates"][0][0][0] - x) < 1e-5
    with pytest.raises(InvalidAction, match="Unknown datum"):
        open_flood(commander, district, datum="mars")
