"""The leader's menu in headless Chromium: each centre's pages under one entry that opens
with a click, and the page opened from it marks its group as the current one."""

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_leader_opens_the_risk_board_from_the_mediation_centres_entry(
    live_server, district, new_page, sign_in, shot
):
    f.make_user(Role.LEADER, regions=[district["district"]], username="leader")
    base = live_server.url
    page = sign_in(new_page(), base, "leader")
    page.goto(f"{base}/cases/")
    nav = page.locator("nav.mainnav")
    # One line of entries on a desktop screen, not two.
    entries = nav.locator(":scope > ul > li")
    tops = {round(box["y"]) for box in (e.bounding_box() for e in entries.all()) if box}
    assert len(tops) == 1
    risk = nav.get_by_role("link", name="风险看板")
    assert not risk.is_visible()
    nav.locator("summary", has_text="矛调中心").click()
    assert risk.is_visible()
    shot(page, "menu-01-mediation-centre-open")
    # Opening another group closes the first; so does a click elsewhere.
    nav.locator("summary", has_text="应急指挥").click()
    assert not risk.is_visible()
    page.locator("h1").click()
    assert not nav.get_by_role("link", name="应急预案").is_visible()
    nav.locator("summary", has_text="矛调中心").click()
    risk.click()
    page.wait_for_url(f"{base}/mediation/risk/")
    assert nav.locator("summary.current").inner_text().startswith("矛调中心")
