"""The operator finds the caller's place in the gazetteer and the map places the point
(#10, "Finding the place")."""

import re

import pytest
from playwright.sync_api import expect

from civicgrid.cases.models import Case
from civicgrid.regions.models import Place, PlaceKind

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

MARKERS = """() => {
  const map = document.querySelector('[data-map-picker]').leafletMap;
  let n = 0;
  map.eachLayer(l => { if (l instanceof L.CircleMarker) n += 1; });
  return [n, map.getZoom()];
}"""


@pytest.fixture
def dongying_community(district):
    grid = district["grid11"]
    Place.objects.create(
        name="东营社区",
        kind=PlaceKind.COMMUNITY,
        region=district["community1"],
        lng=grid.centroid_lng,
        lat=grid.centroid_lat,
    )
    Place.objects.create(
        name="东营商贸园",
        kind=PlaceKind.STREET,
        region=district["street2"],
        lng=district["grid21"].centroid_lng,
        lat=district["grid21"].centroid_lat,
    )
    return grid


def test_the_operator_types_the_initials_picks_the_place_and_the_point_is_set(
    live_server,
    operator,
    category,
    dongying_community,
    sign_in,
    new_page,
    artifacts,
):
    grid = dongying_community
    page = new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{live_server.url}/intake/")
    sign_in(page)
    page.wait_for_load_state("networkidle")
    assert page.evaluate(MARKERS)[0] == 0
    # No reply templates here: their card leaves no empty strip above the place search.
    expect(page.locator(".phrases-card")).to_be_hidden()

    search = page.locator("#place-search")
    search.click()
    search.press_sequentially("dysq")
    option = page.locator("#place-results").get_by_role("option", name=re.compile("东营社区"))
    option.wait_for()
    assert page.locator("#place-results [role=option]").count() == 1
    assert "社区·村" in option.inner_text()  # the page speaks Chinese
    page.screenshot(path=str(artifacts / "intake-place-search-list.png"))
    search.press("Enter")  # the first match is chosen; the case is not submitted

    assert float(page.input_value("#id_lng")) == pytest.approx(grid.centroid_lng, abs=1e-6)
    assert float(page.input_value("#id_lat")) == pytest.approx(grid.centroid_lat, abs=1e-6)
    assert page.input_value("#id_datum") == "wgs84"
    assert page.input_value("#id_address") == "测试区第1街道第1社区东营社区"
    markers, zoom = page.evaluate(MARKERS)
    assert markers == 1
    assert zoom >= 17
    assert not Case.objects.exists()
    page.locator("section:has([data-map-picker])").screenshot(
        path=str(artifacts / "intake-place-search.png")
    )

    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", "路灯不亮")
    page.fill("#id_content", "东营社区门口的路灯坏了一周。")
    page.fill("#id_reporter_name", "王五")
    page.fill("#id_reporter_phone", "13900002222")
    page.click("form.intake-form button.primary")
    page.wait_for_url(re.compile(r"/cases/\d{8}-\d{5}/"))
    case = Case.objects.get()
    assert case.grid == grid
    assert (case.lng, case.lat) == (
        pytest.approx(grid.centroid_lng, abs=1e-6),
        pytest.approx(grid.centroid_lat, abs=1e-6),
    )


def test_chinese_typed_lists_matches_that_the_keyboard_chooses(
    live_server,
    operator,
    dongying_community,
    district,
    sign_in,
    page,
):
    page.goto(f"{live_server.url}/intake/")
    sign_in(page)
    search = page.locator("#place-search")
    search.fill("东营")
    page.locator("#place-results [role=option]").nth(1).wait_for()
    assert page.locator("#place-results [role=option]").all_inner_texts()[0].startswith("东营社区")
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == "place-option-1"
    search.press("Enter")
    assert float(page.input_value("#id_lng")) == pytest.approx(
        district["grid21"].centroid_lng, abs=1e-6
    )
    search.fill("不存在的地方")
    nothing = page.locator("[data-place-search]").get_attribute("data-none")
    expect(page.locator("[data-place-status]")).to_have_text(nothing)
    expect(page.locator("#place-results")).to_be_hidden()


def test_a_grid_worker_on_a_phone_finds_the_place_on_the_report_page(
    live_server,
    grid_worker,
    category,
    dongying_community,
    new_page,
    sign_in,
    artifacts,
):
    grid = dongying_community
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/grid/report/")
    sign_in(page, username="gridworker")
    page.wait_for_load_state("networkidle")

    search = page.locator("#place-search")
    search.click()
    search.press_sequentially("dysq")
    option = page.locator("#place-results").get_by_role("option", name=re.compile("东营社区"))
    option.wait_for()
    page.screenshot(path=str(artifacts / "grid-report-place-search.png"), full_page=True)
    option.tap()

    assert float(page.input_value("#id_lng")) == pytest.approx(grid.centroid_lng, abs=1e-6)
    assert float(page.input_value("#id_lat")) == pytest.approx(grid.centroid_lat, abs=1e-6)
    assert page.input_value("#id_datum") == "wgs84"
    assert page.input_value("#id_address") == "测试区第1街道第1社区东营社区"
    assert page.evaluate(MARKERS)[0] == 1
    # Nothing sticks out of the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("fieldset.where").screenshot(path=str(artifacts / "grid-report-placed.png"))
