"""An operator's call survives a session that ran out while they typed (#10 defect 11)."""

import re

import pytest
from django.contrib.sessions.models import Session

from civicgrid.cases.models import Case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_call_typed_before_the_session_ran_out_is_registered_after_signing_in_again(
    live_server,
    operator,
    district,
    category,
    sign_in,
    page,
):
    page.goto(f"{live_server.url}/intake/")
    sign_in(page)
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", "井盖缺失")
    page.fill("#id_content", "人民路口的井盖丢了，晚上很危险，请尽快处理。")
    page.fill("#id_reporter_name", "李四")
    page.fill("#id_reporter_phone", "13900001111")
    page.wait_for_load_state("networkidle")  # the form's lookups as one types have answered
    Session.objects.all().delete()  # twenty minutes on the phone: the session ran out

    page.click("form.intake-form button.primary")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    sign_in(page)
    assert page.url.endswith("/intake/")
    assert page.input_value("#id_content") == "人民路口的井盖丢了，晚上很危险，请尽快处理。"
    assert page.input_value("#id_reporter_phone") == "13900001111"
    assert page.input_value("#id_category") == str(category.pk)
    assert page.locator("ul.messages").is_visible()

    page.click("form.intake-form button.primary")
    page.wait_for_url(re.compile(r"/cases/\d{8}-\d{5}/"))
    assert Case.objects.get().title == "井盖缺失"
    page.goto(f"{live_server.url}/intake/")
    assert page.input_value("#id_content") == ""
