"""The mediation centre's window (#12): a visitor's dispute that is also a petition,
registered in one form — the case, its petition and its dispute, all or nothing."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from civicgrid.cases.models import Case
from civicgrid.mediation.models import Dispute, Source
from civicgrid.mediation.taxonomy import load_taxonomies
from civicgrid.petitions.models import Petition

MATTER = "邻居加装空调外机噪音扰民，多次协商未果，要求拆除。"


def _form(**overrides) -> dict:
    values = {
        "title": "空调外机噪音",
        "form": "visit",
        "name": "张三",
        "phone": "13912345678",
        "matter": MATTER,
        "addressed_to": "district",
        "received_on": timezone.localdate().isoformat(),
        "receiving_office": "东营区矛调中心窗口",
        "type": "0201",
        "people_involved": "2",
        "amount": "3000",
        "respondent_name": "李四",
        "respondent_phone": "13800001111",
        "other_side_consents": "on",
        "consent": "on",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def _nothing_saved() -> bool:
    return not (Case.objects.exists() or Petition.objects.exists() or Dispute.objects.exists())


@pytest.mark.django_db
def test_one_form_registers_the_case_its_petition_and_its_dispute(client, dispatcher):
    load_taxonomies()
    client.force_login(dispatcher)
    response = client.post("/window/", _form())
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.number}/#dispute"
    petition, dispute = case.petition, case.dispute
    assert petition.petitioner_name == "张三"
    assert petition.mediation_consent_at is not None
    assert dispute.source == Source.PETITION
    assert dispute.other_side_consents
    assert dispute.amount == 3000
    assert sorted(dispute.parties.values_list("side", "name")) == [
        ("applicant", "张三"),
        ("respondent", "李四"),
    ]
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'id="petition-dispute-link"' in page
    # One timeline: registered, petition registered, handed over, consent.
    assert case.events.count() >= 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": None}, "The petitioner must agree that the dispute goes to mediation."),
        ({"type": "9999"}, "Choose the type of dispute."),
        ({"amount": "-5"}, "The amount is a number of yuan."),
        ({"people_involved": "0"}, "The number of people involved is at least 1."),
        ({"phone": "12", "id_number": ""}, "This does not look like a phone number."),
        ({"received_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "future"),
    ],
)
def test_a_refusal_anywhere_in_the_form_saves_nothing(client, dispatcher, overrides, message):
    load_taxonomies()
    client.force_login(dispatcher)
    response = client.post("/window/", _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _nothing_saved()
    # What was typed stays in the form.
    assert MATTER in response.content.decode()


@pytest.mark.django_db
def test_the_refusal_reads_in_chinese_at_the_window(client, dispatcher):
    load_taxonomies()
    client.force_login(dispatcher)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # the page's own language: Chinese
    response = client.post("/window/", _form(amount="-5"))
    assert "涉及金额须为以元计的数字。" in response.content.decode()
    assert _nothing_saved()


@pytest.mark.django_db
def test_a_grid_worker_does_not_open_the_window(client, grid_worker):
    client.force_login(grid_worker)
    assert client.get("/window/").status_code == 403
    assert client.post("/window/", _form()).status_code == 403
    assert _nothing_saved()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_raises_a_dispute_that_is_also_a_petition_in_the_browser(
    live_server, new_page, sign_in, shot, dispatcher
):
    load_taxonomies()  # a transactional test empties the tables migrations filled
    page = new_page()
    sign_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/window/")
    form = page.locator("#window-form")
    form.locator("select[name=form]").select_option("visit")
    form.locator("input[name=name]").fill("张三")
    form.locator("input[name=phone]").fill("13912345678")
    form.locator("textarea[name=matter]").fill(MATTER)
    form.locator("input[name=receiving_office]").fill("东营区矛调中心窗口")
    form.locator("select[name=type]").select_option("0201")
    form.locator("input[name=respondent_name]").fill("李四")
    form.locator("input[name=other_side_consents]").check()
    form.locator("input[name=consent]").check()
    # A negative amount, past the browser's own check: refused in Chinese, nothing saved.
    form.locator("input[name=amount]").fill("-5")
    page.evaluate("document.getElementById('window-form').noValidate = true")
    with page.expect_navigation():
        page.click("#register-both")
    assert "涉及金额须为以元计的数字。" in page.content()
    assert _nothing_saved()
    shot(page, "mediation-window-refused")
    form = page.locator("#window-form")
    assert form.locator("textarea[name=matter]").input_value() == MATTER
    form.locator("input[name=amount]").fill("3000")
    with page.expect_navigation():
        page.click("#register-both")
    case = Case.objects.get()
    assert page.url.endswith(f"/cases/{case.number}/#dispute")
    assert page.locator("#dispute").is_visible()
    assert page.locator("#petition-dispute-link").count() == 1
    shot(page, "mediation-window-registered")
    assert case.dispute.source == Source.PETITION
    assert case.petition.mediation_consent_at is not None
