"""What every staff form does in the browser (``forms.js``): counters under limited text,
a file over the limit refused as it is chosen, focus on the errors after a refused post."""

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases.models import Case
from civicgrid.cases.tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def focused(page) -> str:
    return page.evaluate(
        "document.activeElement.id || "
        "(document.activeElement.hasAttribute('data-form-errors') ? 'errors' : '')"
    )


def test_the_intake_form_counts_refuses_a_big_file_at_once_and_shows_errors_on_top(
    live_server,
    district,
    category,
    new_page,
    sign_in,
):
    f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")
    page = sign_in(new_page(), live_server.url, "operator")
    page.goto(f"{live_server.url}/intake/")

    assert page.locator("#id_content_counter").inner_text() == "0 / 2000"
    page.fill("#id_title", "井盖缺失")
    page.fill("#id_content", "人民路口的井盖丢了")
    assert page.locator("#id_title_counter").inner_text() == "4 / 200"
    assert page.locator("#id_content_counter").inner_text() == "9 / 2000"

    big = {"name": "录像.pdf", "mimeType": "application/pdf", "buffer": b"0" * (11 * 2**20)}
    page.set_input_files("#id_attachments", [big])
    message = page.locator("#id_attachments_size_error")
    assert "录像.pdf" in message.inner_text()
    assert focused(page) == "id_attachments"
    page.click("button.primary[type=submit]")
    page.wait_for_timeout(300)
    assert page.url.endswith("/intake/")
    assert page.input_value("#id_content") == "人民路口的井盖丢了"
    assert not Case.objects.exists()

    # A file within the limit clears the message; the server's refusal focuses the list.
    page.set_input_files("#id_attachments", [])
    assert message.count() == 0
    page.fill("#id_reporter_phone", "12")
    with page.expect_navigation():
        page.click("button.primary[type=submit]")
    assert focused(page) == "errors"
    assert page.locator("[data-form-errors] a[href='#id_reporter_phone']").count() == 1
    assert page.input_value("#id_title") == "井盖缺失"
    assert not Case.objects.exists()
