"""Data shown on maps stays text, and no page breaks the Content-Security-Policy.

Headless Chromium on the test district. Every page opened is watched for script errors
and for ``securitypolicyviolation`` events (listened to from a script Playwright adds,
which the policy does not govern). Screenshots go to ``test-artifacts/security-*.png``.
"""

import re
from urllib.parse import urlsplit

import pytest

from civicgrid.cases.tests import factories as f
from civicgrid.citizens.models import TrackingRole
from civicgrid.citizens.services import Report, file_report, issue_tracking
from civicgrid.duplicates.services import refresh_hot_issues

PASSWORD = "pw-for-tests"  # the personas' (factories.make_user)
DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
# What an attacker types: HTML that runs script if a page ever parses it.
HOSTILE_TITLE = "<img src=x onerror=top.xss=1>"
HOSTILE_GRID = "<img src=x onerror=top.xss=2>"
WATCH = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                            + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""

# The Leaflet layer of a map's region by name, and a point inside it on the screen
# (off its centre, where a case's dot may sit).
FIND_REGION = """(selector, name) => {
  const map = document.querySelector(selector).leafletMap;
  let region = null;
  if (map) map.eachLayer((l) => {
    if (!region && l.feature && l.getBounds && l.feature.properties.name === name) region = l;
  });
  return region;
}"""
POINT_IN_REGION = f"""(selector, name) => {{
  const el = document.querySelector(selector);
  el.scrollIntoView({{ block: "center" }});
  const b = ({FIND_REGION})(selector, name).getBounds();
  const at = L.latLng(b.getSouth() * 0.7 + b.getNorth() * 0.3,
                      b.getWest() * 0.7 + b.getEast() * 0.3);
  const p = el.leafletMap.latLngToContainerPoint(at);
  const box = el.getBoundingClientRect();
  return [box.left + p.x, box.top + p.y];
}}"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def hostile_world(district, category, operator, tmp_path, settings):
    """A grid named as HTML, and a hot issue whose title is HTML, from four citizens."""
    settings.MEDIA_ROOT = tmp_path / "media"
    grid = district["grid12"]
    grid.name = HOSTILE_GRID
    grid.save(update_fields=["name"])
    lng, lat = f.point_in(district["grid11"])
    for n in range(4):
        file_report(
            Report(
                description=f"{HOSTILE_TITLE}\n小区北门路灯坏了三天，晚上很黑。",
                phone=f"1390000000{n}",
                category=category,
                lng=lng,
                lat=lat,
            ),
            key=f"hostile-{n}",
        )
    refresh_hot_issues()
    return {"grid": grid, "case": f.make_case(actor=operator, grid=grid, category=category)}


class Desk:
    """One browser window, signed in as ``username`` (or anonymous), watched for trouble."""

    def __init__(
        self, new_page, sign_in, shot, base_url: str, username: str | None = None, password=PASSWORD
    ):
        """``new_page``, ``sign_in`` and ``shot`` are the root conftest's fixtures."""
        self.page = new_page()
        self.context = self.page.context
        self.context.add_init_script(WATCH)
        self._shot = shot
        self.base_url = base_url
        self.trouble: list[str] = []
        self.page.on("pageerror", lambda error: self.trouble.append(f"script error: {error}"))
        self.page.on("console", self._console)
        if username:
            self.open("/accounts/login/")
            sign_in(self.page, None, username, password)
            assert "/accounts/login/" not in self.page.url, f"{username} could not sign in"

    def _console(self, message):
        if message.type == "error" and not message.location.get("url", "").endswith("favicon.ico"):
            self.trouble.append(f"console: {message.text}")

    def open(self, path: str):
        self.page.goto(f"{self.base_url}{path}")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def problems(self) -> list[str]:
        """What went wrong on the page shown now (and since the last call)."""
        found = self.trouble + self.page.evaluate("window.cspViolations || []")
        self.trouble = []
        return found

    def shot(self, name: str):
        self._shot(self.page, f"security-{name}")

    def hover_region(self, selector: str, name: str) -> str:
        """Move the mouse onto the map region called ``name``; the tooltip's text."""
        self.page.wait_for_function(f"args => !!({FIND_REGION})(...args)", arg=[selector, name])
        x, y = self.page.evaluate(f"args => ({POINT_IN_REGION})(...args)", [selector, name])
        self.page.mouse.move(x - 4, y - 4)
        self.page.mouse.move(x, y)
        tooltip = self.page.locator(".leaflet-tooltip").last
        tooltip.wait_for()
        assert tooltip.locator("img").count() == 0
        return tooltip.inner_text()

    def script_ran(self) -> bool:
        return self.page.evaluate("typeof window.xss !== 'undefined'")


def test_titles_and_region_names_written_as_html_show_as_text_in_map_tooltips(
    hostile_world,
    leader,
    operator,
    live_server,
    new_page,
    sign_in,
    shot,
):
    desk = Desk(new_page, sign_in, shot, live_server.url, "leader")
    desk.open("/hot-issues/")
    desk.page.locator("path.leaflet-interactive").first.hover()
    tooltip = desk.page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert HOSTILE_TITLE in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0
    assert not desk.script_ran()
    desk.shot("hot-issues-tooltip")
    assert desk.problems() == []

    desk.open("/map/")
    assert HOSTILE_GRID in desk.hover_region("#city-map", HOSTILE_GRID)
    assert not desk.script_ran()
    desk.shot("city-map-tooltip")
    assert desk.problems() == []

    case_desk = Desk(new_page, sign_in, shot, live_server.url, "operator")
    case_desk.open(f"/cases/{hostile_world['case'].number}/")
    assert HOSTILE_GRID in case_desk.hover_region("[data-map-view]", HOSTILE_GRID)
    assert not case_desk.script_ran()
    assert case_desk.problems() == []
    case_desk.open("/intake/")
    assert HOSTILE_GRID in case_desk.hover_region("[data-map-picker]", HOSTILE_GRID)
    assert not case_desk.script_ran()
    assert case_desk.problems() == []


def solve(question: str) -> str:
    """The citizens' check question in either language: 三 加 五 / 3 plus 5."""
    numbers = [DIGITS.get(c, c) for c in re.findall(r"\d+|[零一二三四五六七八九]", question)]
    a, b = (int(n) for n in numbers[:2])
    return str(a - b if ("minus" in question or "减" in question) else a + b)


STAFF_PAGES = {
    "operator": ["/intake/", "/cases/{case}/", "/callbacks/", "/knowledge/", "/notifications/"],
    "dispatcher": ["/triage/", "/tasks/"],
    "handler": ["/inbox/"],
    "gridworker": ["/grid/", "/grid/report/", "/tasks/"],
    "leader": ["/map/", "/hot-issues/", "/knowledge/stats/", "/cases/"],
}
ADMIN_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/user/{user}/change/",
    "/admin/accounts/loginfailure/",
    "/admin/cases/case/",
    "/admin/cases/case/{case_pk}/change/",
    "/admin/alerts/alertsource/add/",
    "/admin/routing/category/",
    "/knowledge/proposals/",
    "/api/docs",
]


def test_no_page_breaks_the_content_security_policy(
    hostile_world,
    operator,
    dispatcher,
    handler,
    grid_worker,
    leader,
    admin_user,
    live_server,
    new_page,
    sign_in,
    shot,
):
    case = hostile_world["case"]
    fill = {"case": case.number, "case_pk": case.pk, "user": operator.pk}
    problems: dict[str, list[str]] = {}

    for username, paths in STAFF_PAGES.items():
        desk = Desk(new_page, sign_in, shot, live_server.url, username)
        for path in paths:
            desk.open(path.format(**fill))
            problems[f"{username} {path}"] = desk.problems()
        desk.context.close()

    # htmx at work: the hot issue's cases, the duplicate and knowledge hints at intake.
    desk = Desk(new_page, sign_in, shot, live_server.url, "leader")
    desk.open("/hot-issues/")
    desk.page.locator("[data-issue]").first.click()
    desk.page.wait_for_selector("#hot-issue-cases a.case-number")
    problems["leader hot issue cases"] = desk.problems()
    desk = Desk(new_page, sign_in, shot, live_server.url, "operator")
    desk.open("/intake/")
    desk.page.fill("#id_title", "路灯坏了")
    desk.page.fill("#id_content", "小区北门路灯坏了三天，晚上很黑。")
    desk.page.locator("#id_content").blur()
    desk.page.wait_for_load_state("networkidle")
    problems["operator intake hints"] = desk.problems()

    # A citizen reports, copies the link, follows it; the public results.
    citizen = Desk(new_page, sign_in, shot, live_server.url)
    page = citizen.open("/report/")
    page.fill("#id_description", "小区东门垃圾桶满了没人清理，味道很大。")
    page.click(".map-details summary")  # the position, picked on the map
    assert HOSTILE_GRID in citizen.hover_region("[data-map-picker]", HOSTILE_GRID)
    page.mouse.down()
    page.mouse.up()
    page.fill("#id_phone", "13905461234")
    page.fill("#id_answer", solve(page.locator(".question").inner_text()))
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("[data-submit]")
    citizen.page.wait_for_load_state("networkidle")
    citizen.shot("citizen-sent")
    assert page.locator("[data-case-number]").count() == 1
    citizen.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("[data-copy]")
    copied = "(b => b.textContent === b.dataset.copied)(document.querySelector('[data-copy]'))"
    page.wait_for_function(copied)
    problems["citizen report and confirmation"] = citizen.problems()
    citizen.shot("citizen-confirmation")
    link = page.locator("[data-tracking-link]").input_value()
    citizen.open(urlsplit(link).path)
    problems["citizen tracking"] = citizen.problems()
    token = issue_tracking(case, role=TrackingRole.REPORTER)
    citizen.open(f"/track/{token}/")
    problems["citizen tracking (staff case)"] = citizen.problems()
    citizen.open("/results/")
    problems["citizen results"] = citizen.problems()

    admin = Desk(new_page, sign_in, shot, live_server.url, "admin", password="password")
    for path in ADMIN_PAGES:
        admin.open(path.format(**fill))
        problems[f"admin {path}"] = admin.problems()
    admin.shot("admin-case")

    assert {where: found for where, found in problems.items() if found} == {}
