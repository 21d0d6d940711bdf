"""The petition window in Chromium: register a petition, accept it, print the notice."""

import pytest
from django.utils import timezone

from civicgrid.core.pdf import text_of
from civicgrid.petitions.models import Petition, PetitionState

from .conftest import MATTER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_window_registers_a_petition_accepts_it_and_prints_the_notice(
    live_server, page, sign_in, shot, operator
):
    sign_in(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/petitions/register/")
    page.fill("input[name=title]", "工地夜间施工扰民")
    page.select_option("select[name=form]", "visit")
    page.fill("input[name=name]", "张三")
    page.fill("input[name=phone]", "13912345678")
    page.fill("textarea[name=matter]", MATTER)
    page.select_option("select[name=addressed_to]", "district")
    page.fill("input[name=receiving_office]", "东营区矛调中心信访窗口")
    with page.expect_navigation():
        page.click("#register-petition")
    panel = page.locator("#petition")
    assert "张*" in panel.inner_text()
    assert "13912345678" not in page.content()
    with page.expect_navigation():
        page.click("#accept-petition")
    petition = Petition.objects.get()
    assert petition.state == PetitionState.ACCEPTED
    assert page.locator("#petition-clock").get_attribute("data-light") == "green"
    shot(page, "petitions-accepted")
    href = page.locator("#petition-notice").get_attribute("href")
    notice = page.request.get(f"{live_server.url}{href}")
    assert notice.headers["content-type"] == "application/pdf"
    text = text_of(notice.body())
    assert petition.case.number in text
    assert petition.due_on.isoformat() in text
    assert timezone.localdate().isoformat() in text
    page.goto(f"{live_server.url}/petitions/")
    row = page.locator(f"#petition-rows tr[data-case='{petition.case.number}']")
    assert row.get_attribute("data-state") == "accepted"
    assert "张*" in row.inner_text()
    shot(page, "petitions-list")
