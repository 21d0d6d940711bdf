"""A handler, told of a dispatch, chooses e-mail on the settings page (headless Chromium).

Screenshots go to ``test-artifacts/notifications-*.png``.
"""

import shutil
from pathlib import Path

import pytest

from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.notifications.models import NotificationPreference

from .conftest import case_at

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 760}, locale="zh-CN")
    return context.new_page()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"notifications-{name}.png"), full_page=True)


def test_a_handler_reads_the_notice_and_chooses_email(world, live_server, page):
    handler = world.handler
    handler.email, handler.phone = "wang@cgj.example.gov.cn", "13900001111"
    handler.save()
    for _ in range(2):
        case = case_at(world, "registered")
        services.act(case, Action.DISPATCH, actor=world.dispatcher, main_department=world.bureau.pk)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "handler")
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("form:has(#id_username) button[type=submit]")
    page.goto(f"{live_server.url}/notifications/")
    assert page.inner_text("#unread-badge").startswith("2")
    shot(page, "list")
    page.click('.usertools a[href="/notifications/preferences/"]')
    page.wait_for_url("**/notifications/preferences/")
    assert "139****1111" in page.content()
    assert "13900001111" not in page.content()
    page.check("#id_by_email")
    with page.expect_navigation():
        page.click("button.primary")
    shot(page, "preferences")
    preference = NotificationPreference.objects.get(user=handler)
    assert (preference.by_email, preference.by_sms) == (True, False)
