"""The community workstation's pages in a browser (headless Chromium): the grid's
1 + N + X roster managed from the teams page, a grid worker's file with the visits they
made, and a council's follow-up done or filed as a case.

Screenshots go to ``test-artifacts/fieldwork-community-*.png``.
"""

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases.models import Case
from civicgrid.cases.tests.factories import make_user
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import TeamMember

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_community_runs_its_roster_worker_files_and_council_follow_up(
    live_server, new_page, sign_in, shot, household, grid_worker, district
):
    grid = district["grid11"]
    make_user(Role.DISPATCHER, regions=[grid.parent], username="station")
    services.record_visit(household, actor=grid_worker, found="老人精神很好")
    council = services.hold_council(
        grid,
        actor=grid_worker,
        topic="小区停车难",
        meeting_on=timezone.localdate(),
        decision="划定临时停车位",
        attendance=23,
        tasks=["物业施划车位", "协调交警增设标志"],
    )
    page = new_page()
    sign_in(page, live_server.url, "station")

    page.goto(f"{live_server.url}/field/teams/?grid={grid.code}")
    form = page.locator("form[action='/field/members/new/']")
    form.locator("[name=name]").fill("王警官")
    form.locator("[name=role]").select_option("specialist")
    form.locator("[name=speciality]").fill("社区民警")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "王警官" in page.inner_text("ul.roster")
    shot(page, "fieldwork-community-teams")
    page.goto(f"{live_server.url}/field/roster/?grid={grid.code}")
    assert "社区民警" in page.inner_text("main")

    page.goto(f"{live_server.url}/field/workers/")
    with page.expect_navigation():
        page.click(f"a[href='/field/workers/{grid_worker.pk}/']")
    page.fill("#id_title", "入户走访培训")
    with page.expect_navigation():
        page.locator("form:has(#id_title) button[type=submit]").click()
    text = page.inner_text("main")
    assert "入户走访培训" in text
    assert "老人精神很好" in text
    assert "3-2-401" in text
    shot(page, "fieldwork-community-worker")

    page.goto(f"{live_server.url}/field/councils/{council.pk}/")
    paint, signs = council.tasks.order_by("pk")
    with page.expect_navigation():
        page.click(f"form[action='/field/council-tasks/{paint.pk}/done/'] button")
    with page.expect_navigation():
        page.click(f"form[action='/field/council-tasks/{signs.pk}/case/'] button")
    case = Case.objects.get(title="协调交警增设标志")
    text = page.inner_text("section[aria-labelledby=follow-head]")
    assert case.number in text
    assert timezone.localdate().isoformat() in text  # the first one's "done on" date
    assert not page.locator("section[aria-labelledby=follow-head] form").count()
    shot(page, "fieldwork-community-council")
    assert TeamMember.objects.filter(name="王警官", active=True).exists()
