"""Three levels of centres through the real UI (docs/centres.md), on the demo district:
a citizen's report solved inside the grid (小事不出网格), and another that goes community
→ street → district and back down. Screenshots go to ``test-artifacts/levels-*``."""

import pytest
from test_browser_loop import Desk  # tests/ is on the path, as a rootdir

from civicgrid.accounts.models import User
from civicgrid.cases import services
from civicgrid.cases.models import Case, Status
from civicgrid.demo import centres as demo_centres
from civicgrid.demo import load
from civicgrid.regions.models import Level
from civicgrid.routing.models import Category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_levels(db):
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    load.load_accounts()
    demo_centres.load_staff(
        load._district(),
        list(User.objects.get(username="gridworker").grants.get().regions.order_by("code").all()),
        load.DEMO_PASSWORD,
    )


def citizen_report(title: str, content: str) -> Case:
    """A citizen's report from the public form (no staff actor), in the worker's grid."""
    grid = User.objects.get(username="gridworker").grants.get().regions.order_by("code").first()
    category = Category.objects.get(name="城市公共设施", parent__name="城市建设和市政管理")
    intake = services.Intake(
        channel="web",
        title=title,
        content=content,
        category=category,
        lng=grid.centroid_lng,
        lat=grid.centroid_lat,
        datum="wgs84",
        reporter_name="周女士",
        reporter_phone="13905461234",
    )
    return services.register_case(intake, actor=None)


def act_on_case(desk: Desk, number: str, action: str, fill=None):
    page = desk.open(f"/cases/{number}/")
    desk.act(page.locator("main"), action, fill)
    return page


def test_a_citizens_report_is_solved_inside_the_grid(
    demo_levels, live_server, new_page, sign_in, shot
):
    base = live_server.url
    case = citizen_report("楼道灯不亮", "3号楼2单元楼道灯坏了一周，老人上下楼不便。")
    assert case.owner_region.level == Level.COMMUNITY

    # The community workstation finds it in its own queue and passes it to the grid worker.
    station = Desk(new_page, sign_in, shot, base, "station")
    page = station.open("/triage/")
    assert case.number in page.content()
    act_on_case(station, case.number, "pass_down", {"textarea": "请网格员上门查看"})
    case.refresh_from_db()
    assert case.owner_region.level == Level.GRID

    # The grid worker solves it on site, on a phone.
    worker = Desk(new_page, sign_in, shot, base, "gridworker", phone=True)
    act_on_case(worker, case.number, "solve_in_grid", {"textarea": "已更换楼道灯泡，恢复照明。"})
    worker.shot("levels-01-solved-in-grid-phone")
    case.refresh_from_db()
    assert case.status == Status.VERIFIED

    # The workstation calls the citizen back and closes it: it never left the community.
    station.open("/callbacks/")
    station.act_in_row(case.number, "callback", {"input[value=satisfied]": True})
    page = act_on_case(station, case.number, "close")
    station.shot("levels-02-closed-in-community")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    strip = page.locator(".levels-strip")
    assert strip.locator("li.level-community").count() == 1
    assert strip.locator("li.level-grid").count() == 1
    assert strip.locator("li.level-district, li.level-street").count() == 0
    for desk in (station, worker):
        desk.close()


def test_a_report_goes_up_to_the_district_and_back_down(
    demo_levels, live_server, new_page, sign_in, shot
):
    base = live_server.url
    case = citizen_report("道路积水严重", "雨后主路积水没过脚踝，多个小区受影响。")
    station = Desk(new_page, sign_in, shot, base, "station")
    street = Desk(new_page, sign_in, shot, base, "streetdispatcher")
    district = Desk(new_page, sign_in, shot, base, "dispatcher")
    other_street = Desk(new_page, sign_in, shot, base, "street2dispatcher")

    # Community → street, with a reason.
    act_on_case(station, case.number, "escalate", {"textarea": "涉及市政排水，社区处理不了"})
    assert case.number in street.open("/triage/").content()
    assert case.number not in other_street.open("/triage/").content()
    street.shot("levels-03-street-queue")

    # Street → district.
    act_on_case(street, case.number, "escalate", {"textarea": "涉及多个社区，需要区级统筹"})
    case.refresh_from_db()
    assert case.owner_region.level == Level.DISTRICT
    assert case.number in district.open("/triage/").content()
    assert case.number not in street.open("/triage/").content()

    # District → street → community: passed back down with what to do.
    act_on_case(district, case.number, "pass_down", {"textarea": "区排水所已清淤，请街道跟进"})
    act_on_case(street, case.number, "pass_down", {"textarea": "请社区核实积水是否消退"})
    case.refresh_from_db()
    assert case.owner_region.level == Level.COMMUNITY
    page = station.open(f"/cases/{case.number}/")
    station.shot("levels-04-back-in-community")
    levels = page.locator(".levels-strip li").evaluate_all("els => els.map(e => e.className)")
    assert [c.split()[1] for c in levels] == [
        "level-community",
        "level-street",
        "level-district",
        "level-street",
        "level-community",
    ]
    assert "current" in levels[-1]
    for desk in (station, street, district, other_street):
        desk.close()
