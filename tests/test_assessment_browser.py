"""The assessment officer's month in headless Chromium (in Chinese): the ranking by the
scheme in force, the red and black lists compiled and shown to the public, and the
public page that then lists the units. Screenshots go to ``test-artifacts/``."""

from datetime import date

import pytest

from civicgrid.accounts.models import Role
from civicgrid.assessment import services
from civicgrid.assessment.rollup import roll_up
from civicgrid.assessment.tests.helpers import full_loop, moment
from civicgrid.cases.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_ranks_the_units_compiles_and_publishes_the_lists(
    live_server, district, category, bureau, other_bureau, new_page, sign_in, shot
):
    assessor = f.make_user(Role.ASSESSOR, regions=[district["district"]], username="assessor")
    services.save_scheme(
        actor=assessor,
        name="2026年度考核方案",
        valid_from=date(2026, 11, 1),
        weights={"response": 30, "resolution": 35, "satisfaction": 35},
    )
    start = moment("2026-11-02 09:00")
    for rating in ("satisfied", "satisfied", "basically"):
        full_loop(category, district["grid11"], bureau, start, rating=rating)
    full_loop(
        category, district["grid12"], other_bureau, start, rating="unsatisfied", late_ack=True
    )
    roll_up()
    base = live_server.url

    page = sign_in(new_page(), base, "assessor")  # home: the assessment
    page.goto(f"{base}/assessment/?month=2026-11")
    rows = page.locator("#scores tbody tr")
    assert rows.count() == 2
    assert rows.first.get_attribute("data-unit") == str(bureau.pk)
    assert "A" in rows.first.inner_text()
    shot(page, "assessment-ranking")

    page.goto(f"{base}/assessment/lists/?month=2026-11")
    page.click("#compile")
    assert page.locator(f'#red tr[data-unit="{bureau.pk}"]').count() == 1
    assert page.locator(f'#black tr[data-unit="{other_bureau.pk}"]').count() == 1
    page.click("#toggle-public")
    assert page.locator("#public-state").get_attribute("data-public") == "1"
    shot(page, "assessment-lists")

    public = new_page()
    public.goto(f"{base}/results/units/")
    assert bureau.name in public.locator("[data-month='2026-11']").inner_text()
    shot(public, "assessment-public-lists")
