"""The leaders' one screen (一张图) in headless Chromium, in Chinese: the figures beside
the map, a drill-down district → street → community, a figure opening its cases, the
wall mode refreshing itself, a problem of the month and a surge on the screen.
Screenshots go to ``test-artifacts/``."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from civicgrid.accounts.models import Role
from civicgrid.analytics.models import SurgeNotice
from civicgrid.cases.models import Case
from civicgrid.cases.tests import factories as f
from civicgrid.supervision import projects

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_drills_down_opens_the_cases_behind_a_figure_and_puts_it_on_the_wall(
    live_server, district, category, bureau, new_page, sign_in, shot
):
    operator = f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")
    leader = f.make_user(Role.LEADER, regions=[district["district"]], username="leader")
    for grid, n in (("grid11", 3), ("grid12", 2), ("grid21", 1)):
        for _ in range(n):
            f.make_case(actor=operator, grid=district[grid], category=category)
    late = f.make_case(actor=operator, grid=district["grid21"], category=category, channel="web")
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=3))
    projects.create_project(
        actor=leader,
        title="老旧小区停车难",
        owner=bureau,
        region=district["street1"],
        due_on=timezone.localdate() + timedelta(days=20),
    )
    SurgeNotice.objects.create(
        region=district["street1"],
        category=category,
        day=timezone.localdate(),
        count=9,
        baseline_mean=0.8,
        baseline_sd=0.6,
        threshold=2.6,
        excess=3.5,
    )
    base = live_server.url
    page = sign_in(new_page(), base, "leader")
    page.goto(f"{base}/map/screen/")
    assert page.locator('[data-figure="received"]').inner_text() == "7"
    assert page.locator('[data-figure="overdue"] .figure-value').inner_text() == "1"
    assert page.locator("#drill tr[data-child]").count() == 2
    assert "老旧小区停车难" in page.locator("#projects").inner_text()
    assert category.name in page.locator("#surges").inner_text()
    page.wait_for_selector("#city-map .leaflet-interactive")
    shot(page, "one-screen")

    # District → street 1 → its community: the totals follow the level.
    page.click(f'#drill tr[data-child="{district["street1"].code}"] a.drill-link')
    assert page.locator('[data-figure="received"]').inner_text() == "5"
    page.click(f'#drill tr[data-child="{district["community1"].code}"] a.drill-link')
    grids = page.locator("#drill tr[data-child]")
    assert grids.count() == 2
    assert (
        page.locator(f'#drill tr[data-child="{district["grid11"].code}"] td').nth(1).inner_text()
        == "3"
    )
    assert district["street1"].name in page.locator("#crumbs").inner_text()
    shot(page, "one-screen-community")

    # A figure opens the case list with the same filters and the same count.
    page.goto(f"{base}/map/screen/")
    page.click('[data-figure="overdue"]')
    page.wait_for_url("**/cases/**")
    assert page.locator(f"text={late.number}").count() == 1
    assert page.locator("tbody tr").count() == 1

    # Full screen for the command-room wall: no menu, big type, refreshed by htmx.
    page.goto(f"{base}/map/screen/")
    page.click("#wall-link")
    page.wait_for_selector("body.wall")
    assert page.locator("nav.mainnav").count() == 0
    assert page.locator("#screen-body").get_attribute("hx-trigger") == "every 60s"
    f.make_case(actor=operator, grid=district["grid12"], category=category)
    # The wall reuses its figures for 30 s (a cache every process shares); once that has
    # passed, the next refresh shows the new case.
    cache.clear()
    page.evaluate("htmx.ajax('GET', location.href, {target: '#screen-body', swap: 'outerHTML'})")
    expect(page.locator("[data-figure=received]")).to_have_text("8")
    page.wait_for_selector("#city-map .leaflet-interactive")
    shot(page, "one-screen-wall")
