"""The dispute on its case page, the forms behind it, the lists and the API."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.cases.tests.test_api import get
from civicgrid.mediation import services
from civicgrid.mediation.models import Dispute, DisputeState, ResolutionMethod, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def mediator(district):
    return f.make_user(Role.MEDIATOR, regions=[district["district"]], username="mediator")


def _page(client, case):
    return client.get(reverse("cases:detail", args=[case.number])).content.decode()


def _act(client, case, **data):
    return client.post(reverse("mediation:act", args=[case.number]), data, follow=True)


def test_a_mediator_hands_a_case_over_in_one_click_from_its_page(client, new_case, mediator):
    client.force_login(mediator)
    page = _page(client, new_case)
    assert 'id="hand-over-form"' in page
    assert '<option value="hotline" selected>' in page  # from the case's channel
    response = client.post(
        reverse("mediation:hand_over", args=[new_case.number]),
        {
            "type": "0201",
            "source": Source.SCREENING,
            "people_involved": "3",
            "applicant_name": "赵大明",
            "applicant_phone": "13900001111",
            "other_side_consents": "on",
        },
        follow=True,
    )
    assert "Handed over to mediation" in response.content.decode()
    page = _page(client, new_case)
    assert 'data-state="registered"' in page
    assert "赵**" in page
    assert "13900001111" not in page
    assert "139****1111" in page


def test_a_handler_sees_no_hand_over_form(client, new_case, handler):
    client.force_login(handler)
    assert "hand-over-form" not in _page(client, new_case)


def test_bad_hand_over_input_is_told_and_saves_nothing(client, new_case, mediator):
    client.force_login(mediator)
    response = client.post(
        reverse("mediation:hand_over", args=[new_case.number]),
        {"type": "0201", "source": "nowhere"},
        follow=True,
    )
    assert "Choose where the dispute came from." in response.content.decode()
    assert not Dispute.objects.exists()


def test_refusal_on_the_page_shows_the_lawful_routes(client, new_case, mediator):
    services.hand_over(new_case, actor=mediator, type_code="0201", source=Source.HOTLINE)
    client.force_login(mediator)
    litigation = ResolutionMethod.objects.get(name="诉讼")
    response = _act(client, new_case, move="refuse", refusal="before_body")
    assert "Tell the applicant at least one lawful route." in response.content.decode()
    _act(client, new_case, move="refuse", refusal="before_body", routes=[litigation.pk])
    page = _page(client, new_case)
    assert 'data-state="refused"' in page
    assert 'data-route="诉讼"' in page


def test_accept_sessions_and_agreement_on_the_page_show_the_countdown(client, new_case, mediator):
    services.hand_over(new_case, actor=mediator, type_code="0201", source=Source.HOTLINE)
    client.force_login(mediator)
    response = _act(client, new_case, move="accept")
    assert "not consented" in response.content.decode()
    _act(client, new_case, move="consent")
    _act(client, new_case, move="accept")
    held = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    for _ in range(2):
        _act(
            client,
            new_case,
            move="session",
            held_at=held,
            place="调解室",
            attendees="双方",
            record="笔录",
            signed="on",
        )
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    _act(
        client,
        new_case,
        move="agree",
        facts="围墙越界",
        who="钱小红",
        what="拆除",
        due_on=due,
        signed="on",
    )
    page = _page(client, new_case)
    assert 'data-state="agreed"' in page
    assert 'id="confirmation-countdown" data-days="30"' in page
    assert "30 days left to apply for judicial confirmation." in page


def test_the_lists_show_the_disputes_red_first(client, mediator, leader, operator, district):
    grid = district["grid11"]
    yellow = f.make_case(actor=operator, grid=grid)
    red = f.make_case(actor=operator, grid=grid)
    services.hand_over(yellow, actor=mediator, type_code="0201", source=Source.HOTLINE)
    services.hand_over(
        red, actor=mediator, type_code="0701", source=Source.HOTLINE, people_involved=300
    )
    client.force_login(leader)
    board = client.get(reverse("mediation:risk_board")).content.decode()
    assert board.index(red.number) < board.index(yellow.number)
    client.force_login(mediator)
    assert yellow.number in client.get(reverse("mediation:list")).content.decode()
    assert client.get(reverse("mediation:risk_board")).status_code == 403


def test_the_lists_cost_the_same_queries_for_more_disputes(
    client, mediator, leader, operator, district, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            case = f.make_case(actor=operator, grid=district["grid11"])
            services.hand_over(case, actor=mediator, type_code="0201", source=Source.HOTLINE)

    client.force_login(leader)
    add(1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("mediation:risk_board"))
        client.get(reverse("mediation:list"))
    add(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("mediation:risk_board"))
        client.get(reverse("mediation:list"))


def test_the_api_lists_the_disputes_the_token_sees(mediator, handler, new_case):
    services.hand_over(new_case, actor=mediator, type_code="0201", source=Source.HOTLINE)
    assert get(handler, "/api/mediation/disputes").json() == []
    assert get(handler, "/api/mediation/risk-board").json() == []
    response = get(mediator, "/api/mediation/disputes")
    assert response.status_code == 200, response.content
    assert [d["case"] for d in response.json()] == [new_case.number]
    assert response.json()[0]["state"] == DisputeState.REGISTERED
    assert "parties" not in response.json()[0]


def test_the_registry_finds_rooms_and_mediators_by_place_and_words(client, mediator, district):
    from civicgrid.mediation.models import Mediator, Organisation, OrganisationKind

    street = Organisation.objects.create(
        name="第1街道人民调解委员会", kind=OrganisationKind.STREET, region=district["street1"]
    )
    Mediator.objects.create(name="王调解", organisation=street, languages="普通话、维吾尔语")
    Organisation.objects.create(
        name="第2街道人民调解委员会", kind=OrganisationKind.STREET, region=district["street2"]
    )
    client.force_login(mediator)
    url = reverse("mediation:registry")
    page = client.get(url, {"region": district["street1"].code}).content.decode()
    assert "第1街道人民调解委员会" in page
    assert "第2街道人民调解委员会" not in page
    page = client.get(url, {"q": "维吾尔语"}).content.decode()
    assert "王调解" in page
    assert "第2街道" not in page


def test_the_api_shows_one_dispute_with_its_parties_masked(mediator, handler, new_case):
    services.hand_over(
        new_case,
        actor=mediator,
        type_code="0201",
        source=Source.HOTLINE,
        parties=[services.PartyInput("applicant", "赵大明", "13900001111")],
    )
    url = f"/api/mediation/disputes/{new_case.number}"
    answer = get(mediator, url).json()
    assert answer["parties"] == [
        {"side": "applicant", "kind": "person", "name": "赵**", "phone": "139****1111"}
    ]
    assert answer["moves"] == ["accept", "refuse"]
    assert get(handler, url).status_code in (403, 404)
    assert get(mediator, "/api/mediation/disputes/nope").status_code == 404


def test_the_admin_lists_disputes_and_the_registry(admin_client, mediator, new_case):
    services.hand_over(new_case, actor=mediator, type_code="0201", source=Source.HOTLINE)
    page = admin_client.get("/admin/mediation/dispute/").content.decode()
    assert new_case.number in page
    assert admin_client.get("/admin/mediation/dispute/add/").status_code == 403
    assert admin_client.get("/admin/mediation/mediator/").status_code == 200
    assert admin_client.get("/admin/mediation/organisation/").status_code == 200
