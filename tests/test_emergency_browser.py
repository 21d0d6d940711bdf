"""Emergency command end to end in headless Chromium, in Chinese: a flood alert's case
becomes an incident from its case page, the command room starts the flood plan at level
IV, the water bureau acknowledges its task, a follow-up report is filed late and
flagged, the level is raised to III, the nearest team is sent (and acknowledged by
its unit) and sandbags shipped from a warehouse, the response ends and the log is printed.
Screenshots go to ``test-artifacts/``."""

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases import events
from civicgrid.cases.tests import factories as f
from civicgrid.core.pdf import text_of
from civicgrid.emergency import plans
from civicgrid.emergency.models import Incident, Report
from civicgrid.emergency.resources import Deployment, Item, Stock, Team, Warehouse
from civicgrid.emergency.tests.factories import flood_plan_data

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_flood_alert_becomes_an_incident_whose_plan_runs_and_ends_in_a_printed_log(
    live_server, district, new_page, sign_in, shot, settings
):
    # Follow-ups are due at once here, so the one filed below comes late.
    settings.EMERGENCY_REPORT_MINUTES = {"follow_up": 0}
    commander = f.make_user(Role.COMMANDER, regions=[district["district"]], username="commander")
    operator = f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")
    water = f.make_department("区水务局", code="SLJ")
    works = f.make_department("区住房和城乡建设局", code="ZJJ")
    f.make_user(Role.HANDLER, department=water, username="water")
    plans.import_plan(flood_plan_data(water, works), actor=commander)
    x, y = f.point_in(district["grid11"])
    Team.objects.create(name="区防汛抢险队", unit=water, skills=["flood"], size=50, lng=x, lat=y)
    Team.objects.create(name="远处抢险队", skills=["flood"], size=30, lng=x + 0.2, lat=y)
    sandbags = Item.objects.create(code="03010101", name="沙袋", unit_of_measure="条")
    depot = Warehouse.objects.create(name="区防汛物资仓库", lng=x + 0.01, lat=y)
    Stock.objects.create(warehouse=depot, item=sandbags, quantity=5000, minimum=1000)
    case = f.make_case(
        actor=operator, grid=district["grid11"], channel="sensor", title="广利河水位超警戒"
    )
    events.record(case, "alert_received", actor=None, data={"values": {"level_m": 3.6}})
    base = live_server.url

    room = sign_in(new_page(), base, "commander")
    room.goto(f"{base}/cases/{case.number}/")
    room.select_option("#open-from-case [name=type_code]", "101")
    with room.expect_navigation():
        room.click("#open-incident-button")
    incident = Incident.objects.get(case=case)
    assert room.url.endswith(f"/emergency/{incident.pk}/")
    # The alert's water level reaches the plan's automatic level III mark: proposed only.
    assert room.locator('[data-proposal="flood"]').count() == 1
    room.fill("#report-form textarea", "电话首报：广利河水位3.6米，超警戒。")
    with room.expect_navigation():
        room.click("#report-button")
    room.select_option("#start-plan [name=level]", "4")
    with room.expect_navigation():
        room.click("#start-button")
    assert room.locator("#incident-level").get_attribute("data-level") == "4"
    assert room.locator("#task-table tr[data-task]").count() == 2
    shot(room, "emergency-1-plan-started")

    unit = sign_in(new_page(), base, "water")
    unit.goto(f"{base}/emergency/{incident.pk}/")
    with unit.expect_navigation():
        unit.click('[data-acknowledge="patrol"]')
    assert unit.locator('tr[data-key="patrol"]').get_attribute("data-status") == "acknowledged"
    assert unit.locator("#start-plan").count() == 0

    room.select_option("#report-form [name=kind]", "follow_up")
    room.fill("#report-form textarea", "续报：已加密巡查，水位仍在上涨。")
    with room.expect_navigation():
        room.click("#report-button")
    assert room.locator('#report-table tr[data-report="follow_up-1"][data-late="1"]').count() == 1
    assert Report.objects.get(kind="follow_up").late

    room.select_option("#change-level [name=level]", "3")
    with room.expect_navigation():
        room.click("#level-button")
    assert room.locator("#incident-level").get_attribute("data-level") == "3"
    assert room.locator('tr[data-key="sandbags"]').get_attribute("data-status") == "open"
    assert room.locator('tr[data-key="warn"]').get_attribute("data-status") == "cancelled"
    assert room.locator('tr[data-key="patrol"]').get_attribute("data-status") == "acknowledged"
    shot(room, "emergency-2-level-raised")

    # The nearest team is sent, the water bureau acknowledges it; sandbags are shipped.
    assert room.locator("#near-teams li").first.get_attribute("data-team") == "区防汛抢险队"
    with room.expect_navigation():
        room.click('[data-team="区防汛抢险队"] button')
    room.fill('[data-warehouse="区防汛物资仓库"] [name=quantity]', "2000")
    with room.expect_navigation():
        room.click('[data-warehouse="区防汛物资仓库"] button')
    assert Stock.objects.get(warehouse=depot).quantity == 3000
    unit.goto(f"{base}/emergency/{incident.pk}/")
    with unit.expect_navigation():
        unit.click('[data-deployment="区防汛抢险队"] button')
    assert Deployment.objects.get().status == "acknowledged"
    room.reload()
    room.locator("#resources").scroll_into_view_if_needed()
    shot(room, "emergency-2b-resources")

    room.fill("#end-form [name=reason]", "水位回落至警戒水位以下")
    with room.expect_navigation():
        room.click("#end-button")
    assert room.locator("#incident-status").get_attribute("data-status") == "ended"
    room.select_option("#report-form [name=kind]", "final")
    room.fill("#report-form textarea", "终报：险情解除，无人员伤亡。")
    with room.expect_navigation():
        room.click("#report-button")
    shot(room, "emergency-3-ended")
    printed = room.request.get(f"{base}/emergency/{incident.pk}/log.pdf")
    assert printed.headers["content-type"] == "application/pdf"
    text = text_of(printed.body()).replace("\n", "")
    for words in ("广利河水位超警戒", "电话首报", "续报", "终报", "水位回落至警戒水位以下", "沙袋"):
        assert words in text
