"""The grid worker's day on a phone (390×844, headless Chromium): visits to make, a
must-attend task, the centre's task; a visit recorded while the connection drops is
sent again when it is back, and recorded once.

Screenshots go to ``test-artifacts/fieldwork-*.png``.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import MustAttend, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_the_grid_worker_records_a_visit_from_the_phone_day_page(
    live_server, new_page, sign_in, shot, household, grid_worker, dispatcher, new_case, district
):
    services.generate_due_visits(timezone.localdate())
    MustAttend.objects.create(
        case=new_case, grid=district["grid11"], due_at=timezone.now() + timedelta(minutes=30)
    )
    services.send_task([district["grid11"]], actor=dispatcher, title="今晚降雨前排查易涝地下室")
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, live_server.url, "gridworker")
    page.goto(f"{live_server.url}/field/")
    text = page.inner_text("main")
    assert "3-2-401" in text
    assert new_case.number in text
    assert "今晚降雨前排查易涝地下室" in text
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "fieldwork-day-phone")

    page.click("text=3-2-401")
    page.wait_for_url("**/visit/")
    page.fill("#id_found", "老人精神很好，冰箱里有菜")
    page.context.set_offline(True)
    page.click("form[data-resilient-form] button[type=submit]")
    page.wait_for_selector("[data-send-status]:not(:empty)")
    page.wait_for_function("document.querySelector('[data-send-status]').textContent.length > 20")
    shot(page, "fieldwork-visit-offline")
    assert not Visit.objects.filter(visited_on__isnull=False).exists()
    page.context.set_offline(False)
    page.wait_for_url("**/field/", timeout=20000)
    shot(page, "fieldwork-day-after-visit")
    visit = Visit.objects.get(household=household)
    assert visit.found == "老人精神很好，冰箱里有菜"
    assert visit.worker == grid_worker
    assert "3-2-401" not in page.inner_text("section[aria-labelledby=visits-head]")
