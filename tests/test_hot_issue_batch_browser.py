"""Batch actions on the demo's hottest issue, in headless Chromium, as a dispatcher:
tick, choose, give one reason, confirm (double-clicked), read what was done.

Screenshots go to ``test-artifacts/`` (hot-issue-batch.png, hot-issue-batch-result.png).
"""

import pytest

from civicgrid.cases.models import Case, CaseEvent, Status
from civicgrid.demo import load
from civicgrid.demo.hot_issues import load_demo_hot_issues
from civicgrid.duplicates.models import HotIssue, HotIssueBatch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo_city(db):
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    load.load_accounts()
    load_demo_hot_issues(progress=False)


def _merged_into(main: Case) -> set[int]:
    return set(
        Case.objects.filter(status=Status.MERGED, merged_into=main).values_list("pk", flat=True)
    )


def test_the_dispatcher_merges_a_hot_issue_into_one_case(
    demo_city, live_server, page, sign_in, shot
):
    hottest = HotIssue.objects.first()
    cases = list(hottest.cases.order_by("created_at", "id"))
    open_cases = [c for c in cases if c.is_open]
    main = open_cases[0]
    # The demo already merged a person's repeat of their own report into its first.
    merged_before = _merged_into(main)
    sign_in(page, live_server.url, "dispatcher", load.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/hot-issues/{hottest.key}/")
    ticked = page.locator("input[name=cases][form=batch-form]:checked")
    assert ticked.count() == len(open_cases)
    # One case is left out by hand.
    kept = open_cases[-1]
    page.uncheck(f"#batch-case-{kept.number}")
    page.select_option("#id_action", "merge")
    page.select_option("#id_into", main.number)
    page.fill("#id_reason", "同一处问题，合并办理")
    shot(page, "hot-issue-batch")
    with page.expect_navigation():
        page.click("#batch-continue")
    assert page.locator("#batch-confirm li").count() == len(open_cases) - 1
    # Continuing only shows what will be done: nothing is merged yet.
    assert _merged_into(main) == merged_before
    # A double click on "confirm" sends the form twice: it merges once.
    with page.expect_navigation(url="**/batch/*/"):
        page.dblclick("#batch-confirm-button")
    page.wait_for_selector("#batch-summary")
    shot(page, "hot-issue-batch-result")

    assert HotIssueBatch.objects.count() == 1
    merged = Case.objects.filter(status=Status.MERGED, merged_into=main).exclude(
        pk__in=merged_before
    )
    underway = [c for c in open_cases[1:-1] if c.status != Status.REGISTERED]
    assert merged.count() == len(open_cases) - 2 - len(underway)
    assert CaseEvent.objects.filter(action="merge", case__in=merged).count() == merged.count()
    assert Case.objects.get(pk=kept.pk).status == kept.status
    batch = HotIssueBatch.objects.get()
    assert str(len(batch.done)) in page.locator("#batch-summary").inner_text()
