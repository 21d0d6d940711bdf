"""A citizen in Beijing opens the demo district's report form on a phone and shares
their position: before anything is sent, the page says the place is outside the area
served and what to do (#10 defect 16)."""

import pytest

from civicgrid.demo import load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo_geography(db):
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_categories()


def test_a_place_outside_the_district_is_said_before_sending(demo_geography, live_server, new_page):
    page = new_page(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="en",
        geolocation={"latitude": 39.909, "longitude": 116.397},  # Tiananmen, Beijing
        permissions=["geolocation"],
    )
    page.goto(f"{live_server.url}/report/")
    page.click("[data-locate]")

    warning = page.locator("#place-check [data-outside]")
    warning.wait_for()
    text = warning.inner_text()
    # Pages speak Chinese unless the visitor switches (the browser's language is ignored).
    assert "不在本平台服务范围（东营区）内" in text
    assert "12345" in text
    page.context.close()
