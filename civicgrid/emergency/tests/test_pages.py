import json

import pytest
from django.urls import reverse

from civicgrid.core.pdf import text_of
from civicgrid.emergency import response
from civicgrid.emergency.models import Incident, Plan

from .factories import flood_plan_data, open_flood

pytestmark = pytest.mark.django_db


def test_the_command_room_opens_an_incident_from_the_list_page(client, commander, district):
    client.force_login(commander)
    page = client.get(reverse("emergency:incidents"))
    assert b"Open an incident" in page.content
    reply = client.post(
        reverse("emergency:open"),
        {"title": "化工园区泄漏", "type_code": "202", "severity": "major", "lng": "", "lat": ""},
        follow=True,
    )
    assert b"Put the incident on the map" in reply.content
    assert not Incident.objects.exists()
    from civicgrid.cases.tests import factories as f

    x, y = f.point_in(district["grid12"])
    reply = client.post(
        reverse("emergency:open"),
        {
            "title": "化工园区泄漏",
            "type_code": "202",
            "severity": "major",
            "lng": x,
            "lat": y,
            "radius_m": 800,
        },
    )
    incident = Incident.objects.get()
    assert reply["Location"] == reverse("emergency:incident", args=[incident.pk])
    page = client.get(reply["Location"])
    assert "化工园区泄漏" in page.content.decode()
    assert b"Start the plan" in page.content


def test_an_incident_opens_from_its_case_page(client, commander, new_case):
    client.force_login(commander)
    page = client.get(reverse("cases:detail", args=[new_case.number]))
    assert b"open-from-case" in page.content
    client.post(
        reverse("emergency:open_from_case", args=[new_case.number]),
        {"type_code": "101", "severity": "general"},
    )
    incident = Incident.objects.get(case=new_case)
    page = client.get(reverse("cases:detail", args=[new_case.number]))
    assert reverse("emergency:incident", args=[incident.pk]).encode() in page.content


def test_the_unit_acknowledges_on_the_incident_page_and_others_are_refused(
    client, commander, district, flood_plan, water_handler, works_handler, outsider
):
    incident = open_flood(commander, district)
    response.start_plan(incident, flood_plan, 4, actor=commander)
    task = incident.tasks.get(key="patrol")
    client.force_login(works_handler)
    assert client.get(reverse("emergency:incident", args=[incident.pk])).status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("emergency:incident", args=[incident.pk])).status_code == 403
    client.force_login(water_handler)
    page = client.get(reverse("emergency:incident", args=[incident.pk]))
    assert b"Start the plan" not in page.content
    client.post(reverse("emergency:task", args=[task.pk, "acknowledge"]))
    task.refresh_from_db()
    assert task.status == "acknowledged"


def test_a_stale_level_form_is_refused_with_a_message(client, commander, district, flood_plan):
    incident = open_flood(commander, district)
    response.start_plan(incident, flood_plan, 4, actor=commander)
    client.force_login(commander)
    url = reverse("emergency:act", args=[incident.pk, "level"])
    client.post(url, {"level": 3, "version": 1})
    reply = client.post(url, {"level": 4, "version": 1}, follow=True)
    assert b"changed this incident meanwhile" in reply.content
    incident.refresh_from_db()
    assert incident.level == 3


def test_the_log_prints_as_a_pdf(client, commander, district):
    incident = open_flood(commander, district, drill=True)
    client.force_login(commander)
    reply = client.get(reverse("emergency:log_pdf", args=[incident.pk]))
    assert reply["Content-Type"] == "application/pdf"
    assert "DRILL" in text_of(reply.content)


def test_plans_import_export_and_print_from_the_pages(client, commander, water, works, leader):
    client.force_login(commander)
    data = flood_plan_data(water, works)
    data["steps"][0]["owner"] = ""
    reply = client.post(reverse("emergency:plan_import"), {"json": json.dumps(data)}, follow=True)
    assert b"steps[0].owner: names no unit" in reply.content
    assert not Plan.objects.exists()
    data["steps"][0]["owner"] = water.code
    client.post(reverse("emergency:plan_import"), {"json": json.dumps(data)})
    plan = Plan.objects.get()
    exported = client.get(reverse("emergency:plan_export", args=[plan.pk]))
    assert json.loads(exported.content)["steps"][0]["owner"] == water.code
    client.force_login(leader)
    assert client.get(reverse("emergency:plan", args=[plan.pk])).status_code == 200
    assert b"Import a plan" not in client.get(reverse("emergency:plans")).content
    printed = client.get(reverse("emergency:plan_pdf", args=[plan.pk]))
    assert "发布防汛预警" in text_of(printed.content)


def test_a_drill_is_marked_on_its_page_and_in_the_list(client, commander, district):
    open_flood(commander, district, drill=True, title="防汛演练")
    client.force_login(commander)
    page = client.get(reverse("emergency:incidents")).content.decode()
    assert 'data-drill="1"' in page
    assert "DRILL" in page


def test_the_incident_list_runs_a_fixed_number_of_queries(
    client, commander, district, django_assert_max_num_queries
):
    for i in range(8):
        open_flood(commander, district, title=f"积水{i}", drill=bool(i % 2))
    client.force_login(commander)
    client.get(reverse("emergency:incidents"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("emergency:incidents"))
    assert page.content.decode().count("data-incident=") == 8
