"""A handler, told of a dispatch, chooses e-mail on the settings page (headless Chromium).

Screenshots go to ``test-artifacts/notifications-*.png``.
"""

import pytest

from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.notifications.models import NotificationPreference

from .conftest import case_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_handler_reads_the_notice_and_chooses_email(world, live_server, page, sign_in, shot):
    handler = world.handler
    handler.email, handler.phone = "wang@cgj.example.gov.cn", "13900001111"
    handler.save()
    for _ in range(2):
        case = case_at(world, "registered")
        services.act(case, Action.DISPATCH, actor=world.dispatcher, main_department=world.bureau.pk)
    sign_in(page, live_server.url, "handler")
    page.goto(f"{live_server.url}/notifications/")
    assert page.inner_text("#unread-badge").startswith("2")
    shot(page, "notifications-list")
    page.click('.usertools a[href="/notifications/preferences/"]')
    page.wait_for_url("**/notifications/preferences/")
    assert "139****1111" in page.content()
    assert "13900001111" not in page.content()
    page.check("#id_by_email")
    with page.expect_navigation():
        page.click("button.primary")
    shot(page, "notifications-preferences")
    preference = NotificationPreference.objects.get(user=handler)
    assert (preference.by_email, preference.by_sms) == (True, False)
