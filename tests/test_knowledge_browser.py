"""The knowledge base in headless Chromium: the intake panel answers a call, the pages
render. Screenshots go to ``test-artifacts/`` for people to look at."""

import re

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases.models import Case, Status
from civicgrid.cases.tests import factories as f
from civicgrid.demo import knowledge_seed as seed
from civicgrid.knowledge import queries

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_an_operator_answers_a_call_from_the_knowledge_base(
    live_server, district, new_page, sign_in, shot
):
    seed.load_demo(limit=300)
    f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")
    f.make_user(Role.LEADER, regions=[district["district"]], username="leader")
    base = live_server.url

    page = sign_in(new_page(), base, "operator")
    page.goto(f"{base}/intake/")
    page.fill("#id_title", "咨询公积金贷款")
    page.fill("#id_content", "来电询问用住房公积金贷款买房的条件。")
    page.select_option("#id_request_type", "inquiry")
    page.locator("#kb-q").press_sequentially("公积金贷款", delay=60)
    first = page.locator("#kb-lookup li.kb-row").first
    first.wait_for()
    question = first.locator(".kb-question").inner_text()
    shot(page, "knowledge-01-intake-lookup")
    first.get_by_role("button").click()
    page.locator(".kb-chosen").wait_for()
    assert page.input_value("#id_answer")
    shot(page, "knowledge-02-intake-answer-chosen")
    page.click("button[name=answer_directly]")
    page.wait_for_url(re.compile(r"/cases/\d{8}-\d{5}/"))
    case = Case.objects.get()
    assert case.status == Status.CLOSED
    entry_id = case.events.get(action="answer_directly").data["knowledge_entry"]
    assert queries.usage_counts([entry_id]) == {entry_id: 1}
    shot(page, "knowledge-03-case-answered")

    page.goto(f"{base}/knowledge/?q=公积金")
    assert question in page.locator("#kb-results").inner_text()
    shot(page, "knowledge-04-search")
    page.goto(f"{base}/knowledge/{entry_id}/")
    assert "1" in page.locator(".kb-usage").inner_text()
    shot(page, "knowledge-05-entry")

    page = sign_in(new_page(), base, "leader")
    page.goto(f"{base}/knowledge/stats/")
    assert question in page.locator(".kb-ranking").first.inner_text()
    shot(page, "knowledge-06-stats")
