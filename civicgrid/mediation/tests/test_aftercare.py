"""After the agreement: confirmation or notarisation, follow-ups, performance, callback,
re-mediation, the papers and the dossier, and the anonymised publication."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction, TransitionNotAllowed
from civicgrid.cases.models import CaseEvent
from civicgrid.cases.tests import factories as f
from civicgrid.core.models import PersonalDataRead
from civicgrid.core.pdf import text_of
from civicgrid.mediation import aftercare, documents, services
from civicgrid.mediation.events import PRINTED
from civicgrid.mediation.models import DisputeState, ResolutionMethod, Source
from civicgrid.mediation.records import Publication

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def mediator(district):
    return f.make_user(Role.MEDIATOR, regions=[district["district"]], username="mediator")


def _agreed(case, actor, *, due_in=10, now=None):
    dispute = services.hand_over(
        case,
        actor=actor,
        type_code="0201",
        source=Source.SCREENING,
        other_side_consents=True,
        parties=[
            services.PartyInput("applicant", "赵大明", "13900001111"),
            services.PartyInput("respondent", "钱小红", "13900002222"),
        ],
    )
    services.accept(dispute, actor=actor)
    services.add_session(
        dispute,
        actor=actor,
        held_at=timezone.now() - timedelta(hours=1),
        place="社区调解室",
        attendees="双方当事人",
        record="双方陈述意见。",
        signed=True,
    )
    services.agree(
        dispute,
        actor=actor,
        facts="围墙越界五十公分，双方无异议。",
        obligations=[
            services.ObligationInput("钱小红", "拆除越界围墙", TODAY() + timedelta(days=due_in)),
            services.ObligationInput("赵大明", "承担一半费用", TODAY() + timedelta(days=due_in)),
        ],
        signed=True,
        now=now,
    )
    return dispute


def _perform_all(dispute, actor):
    for obligation in dispute.obligations.filter(superseded=False):
        aftercare.follow_up(obligation, actor=actor, result="performed", on=TODAY())


def test_a_judicial_confirmation_is_applied_for_and_ruled_on(new_case, mediator):
    dispute = _agreed(new_case, mediator)
    with pytest.raises(InvalidAction, match="future"):
        aftercare.apply_for_confirmation(
            dispute, actor=mediator, court="东营区人民法院", applied_on=TODAY() + timedelta(1)
        )
    with pytest.raises(InvalidAction, match="court"):
        aftercare.apply_for_confirmation(dispute, actor=mediator, court=" ", applied_on=TODAY())
    assert dispute.confirmations.count() == 0
    aftercare.apply_for_confirmation(
        dispute, actor=mediator, court="东营区人民法院", applied_on=TODAY()
    )
    assert dispute.state == DisputeState.CONFIRMING
    with pytest.raises(InvalidAction, match="number"):
        aftercare.record_ruling(dispute, actor=mediator, ruling="confirmed", ruled_on=TODAY())
    aftercare.record_ruling(
        dispute,
        actor=mediator,
        ruling="confirmed",
        ruled_on=TODAY(),
        reference="(2026)鲁0502民特1号",
    )
    assert dispute.state == DisputeState.CONFIRMED
    confirmation = dispute.confirmations.get()
    assert (confirmation.ruling, confirmation.reference) == ("confirmed", "(2026)鲁0502民特1号")


def test_a_rejected_confirmation_cannot_be_applied_for_again(new_case, mediator):
    dispute = _agreed(new_case, mediator)
    aftercare.apply_for_confirmation(
        dispute, actor=mediator, court="东营区人民法院", applied_on=TODAY()
    )
    aftercare.record_ruling(dispute, actor=mediator, ruling="rejected", ruled_on=TODAY())
    assert dispute.state == DisputeState.AGREED
    with pytest.raises(InvalidAction, match="already ruled"):
        aftercare.apply_for_confirmation(
            dispute, actor=mediator, court="东营区人民法院", applied_on=TODAY()
        )


def test_the_countdown_warns_orange_in_the_last_week_and_red_after_thirty_days(new_case, mediator):
    dispute = _agreed(new_case, mediator, now=timezone.now() - timedelta(days=24), due_in=40)
    assert services.confirmation_days_left(dispute) == 6
    assert aftercare.confirmation_warning(dispute) == "orange"
    assert aftercare.confirmation_warning(dispute, timezone.now() - timedelta(days=10)) == ""
    assert aftercare.confirmation_warning(dispute, timezone.now() + timedelta(days=7)) == "red"


def test_no_confirmation_after_thirty_days_but_notarisation_is_possible(new_case, mediator):
    dispute = _agreed(new_case, mediator, now=timezone.now() - timedelta(days=31), due_in=40)
    with pytest.raises(InvalidAction, match="30 days"):
        aftercare.apply_for_confirmation(
            dispute, actor=mediator, court="东营区人民法院", applied_on=TODAY()
        )
    assert dispute.state == DisputeState.AGREED
    with pytest.raises(InvalidAction, match="certificate"):
        aftercare.notarise(
            dispute, actor=mediator, office="东营公证处", notarised_on=TODAY(), certificate=""
        )
    aftercare.notarise(
        dispute,
        actor=mediator,
        office="东营公证处",
        notarised_on=TODAY(),
        certificate="(2026)东证字第88号",
    )
    assert dispute.state == DisputeState.NOTARISED
    assert dispute.confirmations.get().kind == "notarial"


def test_no_confirmation_after_a_failure(new_case, mediator):
    dispute = services.hand_over(
        new_case, actor=mediator, type_code="0201", source=Source.HOTLINE, other_side_consents=True
    )
    services.accept(dispute, actor=mediator)
    routes = list(ResolutionMethod.objects.filter(name="诉讼").values_list("pk", flat=True))
    services.add_session(
        dispute, actor=mediator, held_at=timezone.now(), place="室", attendees="双方", record="笔录"
    )
    services.fail(dispute, actor=mediator, reason="分歧大", routes=routes)
    with pytest.raises(TransitionNotAllowed):
        aftercare.apply_for_confirmation(dispute, actor=mediator, court="法院", applied_on=TODAY())
    with pytest.raises(TransitionNotAllowed):
        aftercare.notarise(
            dispute, actor=mediator, office="公证处", notarised_on=TODAY(), certificate="1"
        )
    assert dispute.confirmations.count() == 0


def test_each_obligation_is_followed_up_and_the_dispute_performed_when_all_are(new_case, mediator):
    dispute = _agreed(new_case, mediator)
    first, second = dispute.obligations.all()
    with pytest.raises(InvalidAction, match="not performed"):
        aftercare.follow_up(first, actor=mediator, result="partly", on=TODAY())
    with pytest.raises(InvalidAction, match="future"):
        aftercare.follow_up(first, actor=mediator, result="performed", on=TODAY() + timedelta(1))
    with pytest.raises(InvalidAction, match="before"):
        aftercare.follow_up(first, actor=mediator, result="performed", on=TODAY() - timedelta(5))
    aftercare.follow_up(first, actor=mediator, result="performed", on=TODAY())
    aftercare.follow_up(second, actor=mediator, result="partly", on=TODAY(), note="只付了一半")
    with pytest.raises(InvalidAction, match="Not every obligation"):
        services.perform(dispute, actor=mediator)
    aftercare.follow_up(second, actor=mediator, result="performed", on=TODAY())
    services.perform(dispute, actor=mediator)
    assert dispute.state == DisputeState.PERFORMED
    assert second.follow_ups.count() == 2


def test_a_follow_up_whose_date_passed_is_flagged_overdue(new_case, mediator):
    dispute = _agreed(new_case, mediator, due_in=2)
    visible = services.visible_disputes(mediator)
    assert not aftercare.overdue_obligations(visible).exists()
    overdue = aftercare.overdue_obligations(visible, TODAY() + timedelta(days=3))
    assert overdue.count() == 2
    assert set(overdue.values_list("dispute_id", flat=True)) == {dispute.pk}


def test_no_callback_before_performance_and_a_dissatisfied_one_needs_a_note(new_case, mediator):
    dispute = _agreed(new_case, mediator)
    with pytest.raises(InvalidAction, match="after the agreement is performed"):
        aftercare.call_back(dispute, actor=mediator, satisfaction="satisfied", on=TODAY())
    _perform_all(dispute, mediator)
    services.perform(dispute, actor=mediator)
    with pytest.raises(InvalidAction, match="dissatisfied"):
        aftercare.call_back(dispute, actor=mediator, satisfaction="dissatisfied", on=TODAY())
    aftercare.call_back(dispute, actor=mediator, satisfaction="satisfied", on=TODAY(), note="满意")
    assert aftercare.satisfaction_of(dispute) == "satisfied"


def test_an_agreement_not_performed_is_mediated_again_with_its_history_kept(new_case, mediator):
    dispute = _agreed(new_case, mediator)
    with pytest.raises(InvalidAction, match="not \\(fully\\) performed"):
        aftercare.remediate(dispute, actor=mediator, reason="对方不履行")
    first = dispute.obligations.first()
    aftercare.follow_up(first, actor=mediator, result="not_performed", on=TODAY(), note="拒不拆除")
    aftercare.remediate(dispute, actor=mediator, reason="对方不履行")
    assert dispute.state == DisputeState.MEDIATING
    assert dispute.confirm_by is None
    assert dispute.due_at is not None
    assert aftercare.remediation_count(dispute) == 1
    assert dispute.obligations.filter(superseded=True).count() == 2
    assert first.follow_ups.count() == 1  # the history stays
    services.agree(
        dispute,
        actor=mediator,
        facts="重新达成协议。",
        obligations=[services.ObligationInput("钱小红", "十日内拆除", TODAY() + timedelta(10))],
        signed=True,
    )
    assert aftercare.unperformed(dispute)[0].what == "十日内拆除"


def test_the_agreement_pdf_names_the_parties_and_its_print_is_audited(new_case, mediator):
    dispute = _agreed(new_case, mediator)
    content = documents.agreement_pdf(dispute, actor=mediator)
    text = text_of(content)
    for expected in ("Mediation agreement", new_case.number, "赵大明", "钱小红", "拆除越界围墙"):
        assert expected in text
    assert str(TODAY() + timedelta(days=10)) in text
    assert "13900001111" not in text  # a phone stays masked even here
    audit = PersonalDataRead.objects.get()
    assert (audit.user, audit.subject) == (mediator, new_case.number)
    assert CaseEvent.objects.filter(case=new_case, action=PRINTED).exists()


def test_only_staff_of_the_dispute_print_its_papers(new_case, mediator, handler):
    dispute = _agreed(new_case, mediator)
    with pytest.raises(ActionRefused):
        documents.agreement_pdf(dispute, actor=handler)
    assert not PersonalDataRead.objects.exists()


def test_an_agreement_without_one_cannot_be_printed(new_case, mediator):
    dispute = services.hand_over(new_case, actor=mediator, type_code="0201", source=Source.HOTLINE)
    with pytest.raises(InvalidAction, match="no signed written agreement"):
        documents.agreement_pdf(dispute, actor=mediator)
    text = text_of(documents.rights_notice_pdf(dispute, actor=mediator))
    assert "Notice of rights and obligations" in text
    assert "to state the facts of the dispute truthfully" in text


def test_the_dossier_lists_every_document_and_what_is_missing(new_case, mediator, client):
    dispute = _agreed(new_case, mediator)
    _perform_all(dispute, mediator)
    services.perform(dispute, actor=mediator)
    missing = {item.key for item in documents.checklist(dispute) if item.missing}
    assert missing == {"rights_notice", "agreement", "callback"}
    documents.rights_notice_pdf(dispute, actor=mediator)
    documents.agreement_pdf(dispute, actor=mediator)
    aftercare.call_back(dispute, actor=mediator, satisfaction="basically", on=TODAY())
    assert not [item for item in documents.checklist(dispute) if item.missing]
    text = text_of(documents.dossier_pdf(dispute, actor=mediator))
    assert "赵**" in text
    assert "赵大明" not in text
    for expected in ("Checklist", "Session records", "Performance follow-ups", "拆除越界围墙"):
        assert expected in text
    client.force_login(mediator)
    page = client.get(reverse("mediation:dossier", args=[new_case.number])).content.decode()
    assert 'id="dossier-complete"' in page
    response = client.get(reverse("mediation:dossier_pdf", args=[new_case.number]))
    assert response["Content-Type"] == "application/pdf"


def _published(case, actor):
    dispute = _agreed(case, actor)
    _perform_all(dispute, actor)
    services.perform(dispute, actor=actor)
    aftercare.call_back(dispute, actor=actor, satisfaction="satisfied", on=TODAY())
    return dispute


def test_publication_needs_every_partys_consent_and_a_callback(new_case, mediator):
    dispute = _agreed(new_case, mediator)
    applicant, respondent = dispute.parties.all()
    with pytest.raises(InvalidAction, match="resolved"):
        aftercare.publish(dispute, actor=mediator)
    _perform_all(dispute, mediator)
    services.perform(dispute, actor=mediator)
    aftercare.record_publication_consent(applicant, actor=mediator, consented=True)
    aftercare.record_publication_consent(respondent, actor=mediator, consented=False)
    with pytest.raises(InvalidAction, match="Every party must consent"):
        aftercare.publish(dispute, actor=mediator)
    aftercare.record_publication_consent(respondent, actor=mediator, consented=True)
    with pytest.raises(InvalidAction, match="Call the parties back"):
        aftercare.publish(dispute, actor=mediator)
    assert not Publication.objects.exists()
    aftercare.call_back(dispute, actor=mediator, satisfaction="satisfied", on=TODAY())
    published = aftercare.publish(dispute, actor=mediator)
    assert published.month == timezone.localtime().strftime("%Y-%m")
    assert published.satisfaction == "satisfied"
    with pytest.raises(InvalidAction, match="already published"):
        aftercare.publish(dispute, actor=mediator)


def test_the_public_page_shows_the_summary_and_no_person_number_or_place(
    client, new_case, mediator
):
    dispute = _published(new_case, mediator)
    for party in dispute.parties.all():
        aftercare.record_publication_consent(party, actor=mediator, consented=True)
    aftercare.publish(dispute, actor=mediator)
    client.logout()
    response = client.get(reverse("mediation:published"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-published="1"' in page
    assert 'data-rate="100.0"' in page
    assert "相邻关系" in page or dispute.type.name in page
    for secret in ("赵", "钱小红", "13900001111", "****1111", new_case.number, "围墙越界", "拆除"):
        assert secret not in page, secret
    assert str(new_case.lng) not in page


def test_the_aftercare_forms_walk_a_dispute_to_publication(client, new_case, mediator):
    dispute = _agreed(new_case, mediator)
    client.force_login(mediator)
    url = reverse("mediation:after", args=[new_case.number])
    page = client.post(
        url, {"move": "apply", "court": "东营区人民法院", "applied_on": ""}, follow=True
    )
    assert "Give the date" in page.content.decode()
    client.post(
        url, {"move": "apply", "court": "东营区人民法院", "applied_on": TODAY().isoformat()}
    )
    client.post(
        url,
        {
            "move": "ruling",
            "ruling": "confirmed",
            "ruled_on": TODAY().isoformat(),
            "reference": "民特1号",
        },
    )
    for obligation in dispute.obligations.all():
        client.post(
            url,
            {
                "move": "follow_up",
                "obligation": obligation.pk,
                "result": "performed",
                "on": TODAY(),
            },
        )
    client.post(url, {"move": "perform"})
    client.post(url, {"move": "callback", "satisfaction": "satisfied", "on": TODAY().isoformat()})
    for party in dispute.parties.all():
        client.post(url, {"move": "publication_consent", "party": party.pk, "consented": "on"})
    client.post(url, {"move": "publish"})
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.PERFORMED
    assert Publication.objects.get(dispute=dispute).outcome == "judicial"
    queue = client.get(reverse("mediation:aftercare"))
    assert queue.status_code == 200


def test_the_queue_and_the_risk_board_warn_of_the_last_week_of_the_countdown(
    client, new_case, mediator, leader
):
    _agreed(new_case, mediator, now=timezone.now() - timedelta(days=25), due_in=40)
    client.force_login(mediator)
    queue = client.get(reverse("mediation:aftercare")).content.decode()
    assert f'data-case="{new_case.number}" data-warning="orange"' in queue
    client.force_login(leader)
    board = client.get(reverse("mediation:risk_board")).content.decode()
    assert 'class="tag light-orange" data-confirm-days="5"' in board


def test_the_api_shows_the_aftercare_and_records_a_follow_up(new_case, mediator, handler):
    from civicgrid.cases.tests.test_api import get, post

    dispute = _agreed(new_case, mediator)
    url = f"/api/mediation/disputes/{new_case.number}"
    assert get(handler, f"{url}/aftercare").status_code == 404
    answer = get(mediator, f"{url}/aftercare").json()
    assert answer["confirmation_days_left"] == 30
    assert "赵大明" not in str(answer)
    obligation = answer["obligations"][0]["id"]
    late = {"obligation": obligation, "result": "performed", "on": str(TODAY() + timedelta(1))}
    response = post(mediator, f"{url}/follow-ups", late)
    assert response.status_code == 400
    # The API answers in the default language (Chinese): the date may not be after today.
    assert response.json()["errors"][0]["field"] == "on"
    assert "不能晚于今天" in response.json()["message"]
    done = {"obligation": obligation, "result": "performed", "on": str(TODAY())}
    assert post(mediator, f"{url}/follow-ups", done).status_code == 201
    assert dispute.obligations.get(pk=obligation).performed_on == TODAY()
    published = get(mediator, "/api/mediation/published").json()
    assert published == {"published": 0, "satisfied_rate": None, "disputes": []}


def test_the_queue_follows_a_failure_sent_to_a_department_as_a_dispatch(
    client, new_case, mediator, bureau
):
    dispute = services.hand_over(
        new_case, actor=mediator, type_code="0201", source=Source.HOTLINE, other_side_consents=True
    )
    services.accept(dispute, actor=mediator)
    services.add_session(
        dispute, actor=mediator, held_at=timezone.now(), place="室", attendees="双方", record="笔录"
    )
    routes = list(ResolutionMethod.objects.filter(name="诉讼").values_list("pk", flat=True))
    services.fail(dispute, actor=mediator, reason="分歧大", routes=routes)
    services.refer(dispute, actor=mediator, to="department", note="请依法处理", department=bureau)
    client.force_login(mediator)
    queue = client.get(reverse("mediation:aftercare")).content.decode()
    referred = queue[queue.index('id="referred"') :]
    assert new_case.number in referred
    assert bureau.name in referred
    assert 'data-status="dispatched"' in referred


def test_an_agreement_with_a_performance_date_years_away_is_refused(new_case, mediator):
    dispute = services.hand_over(
        new_case, actor=mediator, type_code="0201", source=Source.HOTLINE, other_side_consents=True
    )
    services.accept(dispute, actor=mediator)
    services.add_session(
        dispute, actor=mediator, held_at=timezone.now(), place="室", attendees="双方", record="笔录"
    )
    far = services.ObligationInput("钱小红", "拆除", TODAY() + timedelta(days=6 * 366))
    with pytest.raises(InvalidAction, match="five years"):
        services.agree(dispute, actor=mediator, facts="事实", obligations=[far], signed=True)
    assert dispute.obligations.count() == 0
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.MEDIATING
