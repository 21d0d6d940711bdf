"""A dispute in a real browser (#12), on the demo, as the mediator reads it in Chinese:
a grid worker's report is handed over from its case page, accepted, mediated in two
sessions and settled by a written agreement, and the judicial-confirmation countdown
shows; another is refused with the lawful route told. Asserts on data and ids."""

from datetime import timedelta

import pytest
from django.utils import timezone
from test_browser_loop import Desk  # tests/ is on the path, as a rootdir

from civicgrid.accounts.models import User
from civicgrid.cases.tests import factories as f
from civicgrid.demo import load
from civicgrid.mediation.models import Dispute, DisputeState
from civicgrid.mediation.taxonomy import load_taxonomies

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo_centre(db):
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_accounts()
    load_taxonomies()  # a transactional test empties the tables migrations filled


def reported(title: str):
    """A dispute a grid worker found on patrol and reported."""
    worker = User.objects.get(username="gridworker")
    grid = worker.grants.get().regions.order_by("code").first()
    return f.make_case(actor=worker, grid=grid, channel="grid_patrol", title=title)


def hand_over(desk: Desk, number: str, consents: bool = True):
    page = desk.open(f"/cases/{number}/")
    form = page.locator("#hand-over-form")
    form.locator("select[name=type]").select_option("0201")
    form.locator("select[name=source]").select_option("screening")
    form.locator("input[name=applicant_name]").fill("赵大明")
    form.locator("input[name=applicant_phone]").fill("13900001111")
    form.locator("input[name=respondent_name]").fill("钱小红")
    if consents:
        form.locator("input[name=other_side_consents]").check()
    with page.expect_navigation():
        page.click("#hand-over")
    return page


def submit(page, selector: str):
    with page.expect_navigation():
        page.click(selector)


def test_a_reported_dispute_is_mediated_to_an_agreement(
    demo_centre, live_server, new_page, sign_in, shot
):
    case = reported("邻居装修堵塞排水管")
    desk = Desk(new_page, sign_in, shot, live_server.url, "mediator", phone=True)
    page = hand_over(desk, case.number)
    panel = page.locator("#dispute")
    assert panel.locator("[data-state]").get_attribute("data-state") == "registered"
    assert "赵**" in panel.inner_text()
    assert "13900001111" not in panel.inner_text()
    desk.shot("mediation-1-handed-over")

    submit(page, "#accept-dispute")
    assert page.locator("#dispute [data-state]").get_attribute("data-state") == "accepted"
    held = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    for record in ("双方陈述诉求。", "双方同意疏通排水管并分担费用。"):
        form = page.locator("#session-form")
        form.locator("input[name=held_at]").fill(held)
        form.locator("input[name=place]").fill("东城街道调解室")
        form.locator("input[name=attendees]").fill("赵大明、钱小红")
        form.locator("textarea[name=record]").fill(record)
        form.locator("input[name=signed]").check()
        submit(page, "#log-session")
    assert page.locator("#dispute-sessions li").count() == 2

    form = page.locator("#agree-form")
    form.locator("textarea[name=facts]").fill("装修堵塞排水管，双方无异议。")
    form.locator("input[name=who]").fill("钱小红")
    form.locator("input[name=what]").fill("三日内疏通排水管")
    form.locator("input[name=due_on]").fill((timezone.localdate() + timedelta(3)).isoformat())
    form.locator("input[name=signed]").check()
    submit(page, "#record-agreement")
    countdown = page.locator("#confirmation-countdown")
    assert countdown.get_attribute("data-days") == "30"
    assert "30" in countdown.inner_text()
    desk.shot("mediation-2-agreement")
    assert Dispute.objects.get(case=case).state == DisputeState.AGREED


def test_a_refused_dispute_tells_the_lawful_route(
    demo_centre, live_server, new_page, sign_in, shot
):
    case = reported("已起诉的借款纠纷")
    desk = Desk(new_page, sign_in, shot, live_server.url, "mediator")
    page = hand_over(desk, case.number, consents=False)
    form = page.locator("#refuse-form")
    form.locator("select[name=refusal]").select_option("before_body")
    form.locator("label:has-text('诉讼') input").first.check()
    submit(page, "#refuse-dispute")
    assert page.locator("#dispute [data-state]").get_attribute("data-state") == "refused"
    assert page.locator("#lawful-routes [data-route='诉讼']").count() == 1
    desk.shot("mediation-3-refused")
