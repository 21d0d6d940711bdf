"""The case list's older / newer links in headless Chromium: a filter stays on as the
reader pages back through the cases and forward again."""

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_leader_pages_older_and_newer_with_a_filter_kept(
    live_server, district, category, new_page, sign_in, monkeypatch
):
    from civicgrid.cases.views import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    f.make_user(Role.LEADER, regions=[district["district"]], username="leader")
    operator = f.make_user(Role.OPERATOR, regions=[district["district"]], username="op")
    cases = [
        f.make_case(actor=operator, grid=district["grid11"], category=category, title=f"第{i}件")
        for i in range(3)
    ]
    base = live_server.url
    page = sign_in(new_page(), base, "leader")
    page.goto(f"{base}/cases/?channel=hotline")
    rows = page.locator("table.cases tbody tr")
    assert rows.count() == 2
    page.locator('a[rel="next"]').click()
    page.wait_for_url("**older_than=**")
    assert "channel=hotline" in page.url
    assert rows.count() == 1
    assert page.locator(f'a[href="/cases/{cases[0].number}/"]').count() == 1
    page.locator('a[rel="prev"]').click()
    page.wait_for_url("**newer_than=**")
    assert "channel=hotline" in page.url
    assert rows.count() == 2
    assert page.locator('a[rel="prev"]').count() == 0
