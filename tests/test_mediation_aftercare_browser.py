"""A dispute after its agreement in a real browser (#12), on the demo, as the mediator
reads it on a phone: the judicial-confirmation countdown warns in its last week, the
court's ruling is recorded, each obligation is followed up, the agreement performed,
the parties called back and — both consenting — the dispute published; the public page
then shows it with nobody's name. Asserts on data and ids."""

from datetime import timedelta

import pytest
from django.utils import timezone
from test_browser_loop import Desk  # tests/ is on the path, as a rootdir
from test_mediation_browser import demo_centre, reported, submit  # noqa: F401

from civicgrid.accounts.models import User
from civicgrid.mediation import services
from civicgrid.mediation.models import Dispute, DisputeState, Source
from civicgrid.mediation.records import Publication

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def agreed_24_days_ago(case):
    """Accepted, one session, a signed agreement with two obligations, 24 days ago."""
    mediator = User.objects.get(username="mediator")
    dispute = services.hand_over(
        case,
        actor=mediator,
        type_code="0201",
        source=Source.SCREENING,
        other_side_consents=True,
        parties=[
            services.PartyInput("applicant", "赵大明", "13900001111"),
            services.PartyInput("respondent", "钱小红", "13900002222"),
        ],
    )
    then = timezone.now() - timedelta(days=24)
    services.accept(dispute, actor=mediator, now=then - timedelta(days=2))
    services.add_session(
        dispute,
        actor=mediator,
        held_at=then - timedelta(hours=2),
        place="东城街道调解室",
        attendees="赵大明、钱小红",
        record="双方同意疏通排水管并分担费用。",
        signed=True,
        now=then,
    )
    services.agree(
        dispute,
        actor=mediator,
        facts="装修堵塞排水管，双方无异议。",
        obligations=[
            services.ObligationInput(
                "钱小红", "疏通排水管", timezone.localdate(then) + timedelta(3)
            ),
            services.ObligationInput("赵大明", "分担一半费用", timezone.localdate() + timedelta(3)),
        ],
        signed=True,
        now=then,
    )
    return dispute


def test_an_agreement_is_confirmed_performed_called_back_and_published(
    demo_centre,  # noqa: F811
    live_server,
    new_page,
    sign_in,
    shot,
):
    case = reported("邻居装修堵塞排水管")
    dispute = agreed_24_days_ago(case)
    desk = Desk(new_page, sign_in, shot, live_server.url, "mediator", phone=True)
    page = desk.open(f"/cases/{case.number}/#aftercare")
    panel = page.locator("#aftercare")
    warning = panel.locator("#confirmation-warning")
    assert warning.get_attribute("data-days") == "6"
    assert warning.get_attribute("data-warning") == "orange"
    first = panel.locator("#performance li").first
    assert first.get_attribute("data-overdue") == "yes"  # its date passed, no follow-up
    desk.shot("mediation-after-1-countdown")

    form = panel.locator("#apply-confirmation-form")
    form.locator("input[name=court]").fill("东营区人民法院")
    submit(page, "#apply-confirmation")
    form = page.locator("#ruling-form")
    form.locator("select[name=ruling]").select_option("confirmed")
    form.locator("input[name=reference]").fill("（2026）鲁0502民特12号")
    submit(page, "#record-ruling")
    assert page.locator("#confirmations li").get_attribute("data-ruling") == "confirmed"
    assert Dispute.objects.get(pk=dispute.pk).state == DisputeState.CONFIRMED

    for _ in range(2):
        form = page.locator("form.follow-up-form").first
        form.locator("select[name=result]").select_option("performed")
        with page.expect_navigation():
            form.locator("button").click()
    assert page.locator("#performance li[data-performed='yes']").count() == 2
    submit(page, "#agreement-performed")
    assert Dispute.objects.get(pk=dispute.pk).state == DisputeState.PERFORMED

    form = page.locator("#callback-form")
    form.locator("select[name=satisfaction]").select_option("satisfied")
    form.locator("input[name=note]").fill("双方对结果满意")
    submit(page, "#record-callback")
    assert page.locator("#callbacks li").get_attribute("data-satisfaction") == "satisfied"
    for _ in range(2):
        form = page.locator("#publication-consents li:has([data-consent='unknown']) form").first
        form.locator("input[name=consented]").check()
        with page.expect_navigation():
            form.locator("button").click()
    assert page.locator("#publication-consents [data-consent='yes']").count() == 2
    desk.shot("mediation-after-2-called-back")
    submit(page, "#publish-dispute")
    assert page.locator("#published").count() == 1
    assert Publication.objects.get(dispute=dispute).outcome == "judicial"

    dossier = desk.open(f"/mediation/cases/{case.number}/dossier/")
    assert (
        dossier.locator("#dossier-checklist tr[data-item='callback']").get_attribute("data-present")
        == "yes"
    )
    desk.shot("mediation-after-3-dossier")

    public = new_page()
    public.goto(f"{live_server.url}/mediation/published/")
    summary = public.locator("#published-summary")
    assert summary.get_attribute("data-published") == "1"
    assert summary.get_attribute("data-rate") == "100.0"
    text = (
        public.locator("main").inner_text()
        if public.locator("main").count()
        else public.inner_text("body")
    )
    for secret in ("赵大明", "钱小红", "赵**", "13900001111", case.number):
        assert secret not in text
    shot(public, "mediation-after-4-published")
