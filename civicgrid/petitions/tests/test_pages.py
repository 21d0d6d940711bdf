"""The petition window's pages, the panel on the case page, the notice PDF and the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.cases.models import Case
from civicgrid.core.models import PersonalDataRead
from civicgrid.core.pdf import text_of
from civicgrid.petitions import services
from civicgrid.petitions.models import Petition, PetitionState

from .conftest import MATTER, petition_input

pytestmark = pytest.mark.django_db


def _form(**kw) -> dict:
    values = {
        "title": "工地夜间施工",
        "form": "visit",
        "name": "张三",
        "phone": "13912345678",
        "matter": MATTER,
        "addressed_to": "district",
        "received_on": timezone.localdate().isoformat(),
        "receiving_office": "东营区矛调中心信访窗口",
    }
    values.update(kw)
    return values


def test_the_window_registers_a_case_and_petition_and_lands_on_the_case(client, operator):
    client.force_login(operator)
    response = client.post("/petitions/register/", _form())
    petition = Petition.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{petition.case.number}/#petition")
    page = client.get(response["Location"]).content.decode()
    assert 'id="petition"' in page
    assert "张*" in page
    assert "13912345678" not in page
    assert "decide by" in page


def test_a_bad_registration_shows_the_error_and_keeps_what_was_typed(client, operator):
    client.force_login(operator)
    response = client.post("/petitions/register/", _form(phone="", matter="我的诉求"))
    assert response.status_code == 400
    assert "phone or ID number" in response.content.decode()
    assert "我的诉求" in response.content.decode()
    assert not Case.objects.exists()


def test_a_repeat_petition_says_which_one_it_repeats(client, operator, petition):
    client.force_login(operator)
    client.post("/petitions/register/", _form(), follow=True)
    again = Petition.objects.exclude(pk=petition.pk).get()
    page = client.get(f"/cases/{again.case.number}/").content.decode()
    assert f"repeat petition of {petition.case.number}" in page


def test_the_list_filters_overdue_repeat_higher_level_and_owned(client, operator, district, leader):
    from civicgrid.cases.tests import factories as f

    def case():
        return f.make_case(actor=operator, grid=district["grid11"])

    late = services.register(
        case(),
        petition_input(received_on=timezone.localdate() - timedelta(days=20), matter="甲事项"),
        actor=operator,
    )
    higher = services.register(
        case(),
        petition_input(higher_level=True, petitioner_phone="13700000001", matter="乙事项"),
        actor=operator,
    )
    services.take_ownership(higher, actor=leader)
    client.force_login(operator)
    assert late.case.number in client.get("/petitions/?overdue=1").content.decode()
    assert higher.case.number not in client.get("/petitions/?overdue=1").content.decode()
    page = client.get("/petitions/?higher_level=1").content.decode()
    assert higher.case.number in page
    assert late.case.number not in page
    page = client.get("/petitions/?leader=1").content.decode()
    assert higher.case.number in page
    assert late.case.number not in page
    client.force_login(leader)
    page = client.get("/petitions/mine/").content.decode()
    assert higher.case.number in page
    assert late.case.number not in page


def test_an_outsider_sees_no_petition_and_no_page_of_the_leader(client, outsider, petition):
    client.force_login(outsider)
    assert petition.case.number not in client.get("/petitions/").content.decode()
    assert client.get("/petitions/mine/").status_code == 403
    assert client.get(f"/petitions/cases/{petition.case.number}/notice.pdf").status_code == 404


def test_accepting_on_the_case_page_then_printing_the_notice(client, operator, petition):
    client.force_login(operator)
    number = petition.case.number
    assert client.get(f"/petitions/cases/{number}/notice.pdf").status_code == 404
    client.post(f"/petitions/cases/{number}/act/", {"move": "accept"})
    petition.refresh_from_db()
    assert petition.state == PetitionState.ACCEPTED
    response = client.get(f"/petitions/cases/{number}/notice.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "Notice of acceptance" in text
    assert number in text
    assert "Your petition is accepted" in text
    assert petition.due_on.isoformat() in text
    assert PersonalDataRead.objects.filter(subject=number).exists()


def test_the_refusal_notice_carries_the_reason_and_the_lawful_route(client, operator, petition):
    client.force_login(operator)
    number = petition.case.number
    client.post(
        f"/petitions/cases/{number}/act/",
        {"move": "refuse", "reason": "属于劳动争议仲裁事项", "route": "申请仲裁"},
    )
    text = text_of(client.get(f"/petitions/cases/{number}/notice.pdf").content)
    assert "not accepted" in text
    assert "属于劳动争议仲裁事项" in text
    assert "申请仲裁" in text


def test_the_opinion_notice_carries_the_opinion(client, operator, petition):
    client.force_login(operator)
    number = petition.case.number
    for move in ("accept", "start"):
        client.post(f"/petitions/cases/{number}/act/", {"move": move})
    client.post(f"/petitions/cases/{number}/act/", {"move": "reply", "opinion": "责令夜间停工"})
    text = text_of(client.get(f"/petitions/cases/{number}/notice.pdf").content)
    assert "Handling opinion" in text
    assert "责令夜间停工" in text


def test_an_impossible_move_from_the_page_shows_a_message_and_changes_nothing(
    client, operator, petition
):
    client.force_login(operator)
    response = client.post(
        f"/petitions/cases/{petition.case.number}/act/",
        {"move": "reply", "opinion": "x"},
        follow=True,
    )
    assert "cannot be" in response.content.decode()
    petition.refresh_from_db()
    assert petition.state == PetitionState.REGISTERED


def test_revealing_the_petitioner_shows_the_contact_and_is_audited(client, operator, petition):
    client.force_login(operator)
    response = client.post(
        f"/petitions/cases/{petition.case.number}/act/", {"move": "reveal", "reason": "回访"}
    )
    assert "13912345678" in response.content.decode()
    assert PersonalDataRead.objects.get().reason == "回访"


def test_mediation_needs_consent_and_then_opens_the_hand_over_with_the_source(
    client, operator, petition
):
    client.force_login(operator)
    url = f"/petitions/cases/{petition.case.number}/act/"
    response = client.post(url, {"move": "mediation"}, follow=True)
    assert "tick it once they agreed" in response.content.decode()
    response = client.post(url, {"move": "mediation", "consent": "on"})
    assert response["Location"].endswith(f"/cases/{petition.case.number}/?source=petition#dispute")
    petition.refresh_from_db()
    assert petition.mediation_consent_by == operator


def test_a_petition_is_registered_on_an_existing_case_from_its_page(client, operator, new_case):
    client.force_login(operator)
    page = client.get(f"/cases/{new_case.number}/").content.decode()
    assert "Register a petition on this case" in page
    data = _form()
    data.pop("title")
    client.post(f"/petitions/cases/{new_case.number}/register/", data)
    assert Petition.objects.get().case == new_case


# --- API ---------------------------------------------------------------------------------


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/petitions",
        "/api/petitions/{number}",
        "/api/petitions/{number}/decision",
        "/api/petitions/{number}/extension",
        "/api/petitions/{number}/reply",
    ):
        assert path in paths


def test_the_api_registers_decides_extends_and_replies(client, operator, leader, new_case):
    number = new_case.number
    body = {
        "form": "online",
        "petitioner_name": "李四",
        "petitioner_id_number": "370502198001010011",
        "matter": MATTER,
        "addressed_to": "city",
        "higher_level": True,
        "received_on": timezone.localdate().isoformat(),
        "receiving_office": "市信访局网上信访",
    }
    made = client.post(
        f"/api/petitions/{number}", body, content_type="application/json", headers=bearer(operator)
    )
    assert made.status_code == 201, made.content
    assert made.json()["petitioner"] == "李*"
    assert made.json()["higher_level"] is True
    assert "370502198001010011" not in made.content.decode()
    refused = client.post(
        f"/api/petitions/{number}/decision",
        {"accept": False, "reason": "", "route": ""},
        content_type="application/json",
        headers=bearer(operator),
    )
    assert refused.status_code == 400
    decided = client.post(
        f"/api/petitions/{number}/decision",
        {"accept": True},
        content_type="application/json",
        headers=bearer(operator),
    )
    assert decided.json()["state"] == "accepted"
    extended = client.post(
        f"/api/petitions/{number}/extension",
        {"days": 15, "reason": "需要多部门会商"},
        content_type="application/json",
        headers=bearer(leader),
    )
    assert extended.status_code == 200
    assert extended.json()["extended_days"] == 15
    replied = client.post(
        f"/api/petitions/{number}/reply",
        {"opinion": "已协调解决"},
        content_type="application/json",
        headers=bearer(operator),
    )
    assert replied.json()["state"] == "replied"
    listed = client.get("/api/petitions?higher_level=true", headers=bearer(operator)).json()
    assert [p["case"] for p in listed] == [number]


def test_the_api_hides_petitions_outside_the_callers_regions(client, outsider, petition):
    response = client.get(f"/api/petitions/{petition.case.number}", headers=bearer(outsider))
    assert response.status_code == 404
    assert client.get("/api/petitions", headers=bearer(outsider)).json() == []


def test_the_review_opinion_notice_carries_the_review(client, operator, petition):
    client.force_login(operator)
    number = petition.case.number
    for move in ("accept", "start"):
        client.post(f"/petitions/cases/{number}/act/", {"move": move})
    client.post(f"/petitions/cases/{number}/act/", {"move": "reply", "opinion": "责令夜间停工"})
    client.post(f"/petitions/cases/{number}/act/", {"move": "request_review"})
    page = client.get(f"/cases/{number}/").content.decode()
    assert "review by" in page
    client.post(f"/petitions/cases/{number}/act/", {"move": "review", "opinion": "维持原意见"})
    text = text_of(client.get(f"/petitions/cases/{number}/notice.pdf").content)
    assert "Review opinion" in text
    assert "维持原意见" in text
