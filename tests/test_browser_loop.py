"""One case from intake to close through the real UI, in headless Chromium, as five roles.

Runs on the demo district (real 东营区 geography, its bureaus, routing rules and demo
accounts). Screenshots of each step go to ``test-artifacts/`` for people to look at.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case, Status
from civicgrid.demo import load
from civicgrid.routing.models import Category
from civicgrid.triage import auto

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo_city(db):
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    load.load_accounts()


class Desk:
    """One person at their screen: logs in, acts, takes screenshots."""

    def __init__(
        self, new_page, sign_in, shot, base_url: str, username: str, *, phone: bool = False
    ):
        """``new_page``, ``sign_in`` and ``shot`` are the root conftest's fixtures."""
        self.page = new_page(viewport={"width": 390, "height": 844}) if phone else new_page()
        self.context = self.page.context
        self.base_url = base_url
        self.username = username
        self._shot = shot
        sign_in(self.page, base_url, username, load.DEMO_PASSWORD)
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"

    def open(self, path: str):
        self.page.goto(f"{self.base_url}{path}")
        return self.page

    def act_in_row(self, number: str, action: str, fill=None):
        """Open the action under the queue row of ``number``, fill it and submit. A triage
        card loads its forms when its button is clicked."""
        row = self.page.locator("article", has_text=number)
        opener = row.locator("a.open-forms")
        if opener.count() and not row.locator(f"form.action-{action}").count():
            opener.click()
            row.locator(f"form.action-{action}").wait_for()
        self.act(row, action, fill)

    def act(self, row, action: str, fill=None):
        """Open an action's disclosure inside ``row`` (if shut), fill it and submit."""
        details = row.locator(f"details:has(form.action-{action})")
        if details.get_attribute("open") is None:
            details.locator("> summary").click()
        form = row.locator(f"form.action-{action}")
        for selector, value in (fill or {}).items():
            field = form.locator(selector)
            if value is True:
                field.check()
            elif field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()

    def shot(self, name: str):
        self._shot(self.page, name)

    def close(self):
        self.context.close()


def test_a_case_goes_from_intake_to_close_through_the_ui(
    demo_city, live_server, new_page, sign_in, shot
):
    base = live_server.url
    category = Category.objects.get(name="城市公共设施", parent__name="城市建设和市政管理")
    grid = User.objects.get(username="gridworker").grants.get().regions.order_by("code").first()

    # 1. The hotline operator registers the call, with the position of the problem.
    operator = Desk(new_page, sign_in, shot, base, "operator")
    page = operator.open("/intake/")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", "东营社区路灯不亮")
    page.fill("#id_content", "小区北门外三盏路灯连续三晚不亮，老人夜里出行不便。")
    page.fill("#id_reporter_name", "刘先生")
    page.fill("#id_reporter_phone", "13905461234")
    page.fill("#id_lng", f"{grid.centroid_lng:.6f}")
    page.fill("#id_lat", f"{grid.centroid_lat:.6f}")
    page.select_option("#id_datum", "wgs84")
    operator.shot("01-intake")
    page.click("form.intake-form button.primary")
    page.wait_for_url(re.compile(r"/cases/\d{8}-\d{5}/"))
    number = re.search(r"/cases/(\d{8}-\d{5})/", page.url).group(1)
    assert number in page.content()
    assert "139****1234" in page.content()
    assert "13905461234" not in page.content()
    case = Case.objects.get(number=number)
    assert case.grid == grid
    assert case.status == Status.REGISTERED

    # 2. The dispatcher sees it in the triage queue with the suggested bureau, dispatches.
    dispatcher = Desk(new_page, sign_in, shot, base, "dispatcher")
    page = dispatcher.open("/triage/")
    row = page.locator("article.queue-row", has_text=number)
    assert "区综合行政执法局" in row.inner_text()
    dispatcher.act_in_row(number, "dispatch", {"textarea": "请尽快修复"})
    dispatcher.shot("02-triage")
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.main_department.code == "ZFJ"

    # 3. The bureau's handler acknowledges in the inbox, then replies.
    handler = Desk(new_page, sign_in, shot, base, "handler")
    handler.open("/inbox/")
    handler.act_in_row(number, "acknowledge")
    handler.open("/inbox/")
    handler.act_in_row(number, "reply", {"textarea": "已更换三盏路灯灯泡，现已恢复照明。"})
    handler.shot("03-inbox")
    case.refresh_from_db()
    assert case.status == Status.REPLIED

    # 4. The grid worker checks on site, on a phone.
    worker = Desk(new_page, sign_in, shot, base, "gridworker", phone=True)
    worker.open("/tasks/")
    worker.shot("04-tasks-phone")
    worker.act_in_row(number, "verify_pass", {"textarea": "现场查看，路灯已亮"})
    case.refresh_from_db()
    assert case.status == Status.VERIFIED

    # 5. The operator calls the citizen back, records the rating and closes.
    page = operator.open("/callbacks/")
    operator.act_in_row(number, "callback", {"input[value=satisfied]": True})
    case.refresh_from_db()
    assert case.status == Status.RATED
    page = operator.open(f"/cases/{number}/")
    operator.act(page.locator("main"), "close")
    operator.shot("05-closed")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    timeline = page.locator(".timeline").inner_text()
    for word in ("受理", "派单", "签收", "答复", "核查", "回访", "办结"):
        assert word in timeline, word
    for desk in (operator, dispatcher, handler, worker):
        desk.close()


README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def demo_with_triage(demo_city):
    """The demo as ``civicgrid demo`` loads it for the walkthrough: automatic dispatch on."""
    load.load_auto_dispatch()


def test_the_readme_walkthrough_works_as_written(
    demo_with_triage, live_server, new_page, sign_in, shot
):
    """Step by step what README.md, "One case through the loop", tells a new user."""
    readme = README.read_text(encoding="utf-8")
    walk = readme[readme.index("### One case through the loop") :]
    typed = {"title": "东营社区路灯不亮", "content": "小区北门外三盏路灯连续三晚不亮"}
    lng, lat = "118.5418", "37.4804"
    for text in (
        *typed.values(),
        lng,
        lat,
        "城市公共设施",
        "区综合行政执法局",
        "智能分拨模型自动派单",
    ):
        assert text in walk, text
    base = live_server.url

    # 1. operator: the call, placed in 东营社区 by its coordinates.
    operator = Desk(new_page, sign_in, shot, base, "operator")
    page = operator.open("/intake/")
    category = Category.objects.get(name="城市公共设施", parent__name="城市建设和市政管理")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", typed["title"])
    page.fill("#id_content", typed["content"])
    page.fill("#id_lng", lng)
    page.fill("#id_lat", lat)
    page.select_option("#id_datum", "wgs84")
    page.click("form.intake-form button.primary")
    page.wait_for_url(re.compile(r"/cases/\d{8}-\d{5}/"))
    case = Case.objects.get()
    worker_grids = User.objects.get(username="gridworker").grants.get().regions.all()
    assert case.grid in worker_grids

    # 2. The triage worker's pass: dispatched to 区综合行政执法局 by itself, or left to
    # the dispatcher with that bureau suggested.
    auto.run_once()
    case.refresh_from_db()
    if case.status == Status.DISPATCHED:
        assert (
            "智能分拨模型自动派单"
            in operator.open(f"/cases/{case.number}/").locator(".timeline").inner_text()
        )
    else:
        dispatcher = Desk(new_page, sign_in, shot, base, "dispatcher")
        row = dispatcher.open("/triage/").locator("article.queue-row", has_text=case.number)
        assert "区综合行政执法局" in row.inner_text()
        dispatcher.act_in_row(case.number, "dispatch")
        dispatcher.close()
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.main_department.name == "区综合行政执法局"

    # 3. handler: acknowledge, reply.
    handler = Desk(new_page, sign_in, shot, base, "handler")
    handler.open("/inbox/")
    handler.act_in_row(case.number, "acknowledge")
    handler.open("/inbox/")
    handler.act_in_row(case.number, "reply", {"textarea": "已更换三盏路灯灯泡，现已恢复照明。"})

    # 4. gridworker, on a phone: their grids, then the check on site.
    worker = Desk(new_page, sign_in, shot, base, "gridworker", phone=True)
    assert "东营社区第1网格" in worker.open("/grid/").locator(".my-grids").inner_text()
    worker.open("/tasks/")
    worker.act_in_row(case.number, "verify_pass", {"textarea": "现场查看，路灯已亮"})

    # 5. operator: the callback, then close.
    operator.open("/callbacks/")
    operator.act_in_row(case.number, "callback", {"input[value=satisfied]": True})
    page = operator.open(f"/cases/{case.number}/")
    operator.act(page.locator("main"), "close")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    for desk in (operator, handler, worker):
        desk.close()


def test_chromium_is_there_when_ci_runs():
    """CI installs chromium; without it the browser test above would silently skip."""
    if os.environ.get("CI"):
        assert Path(shutil.which("chromium") or "/usr/bin/chromium").exists()
