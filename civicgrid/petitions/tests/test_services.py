"""Petitions from registration to closing: the table, the time limits, repeats, scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.cases.lifecycle import (
    ActionRefused,
    ConcurrentUpdate,
    InvalidAction,
    TransitionNotAllowed,
)
from civicgrid.cases.models import Case, CaseEvent, Light
from civicgrid.cases.tests import factories as f
from civicgrid.core.models import PersonalDataRead
from civicgrid.petitions import matching, services
from civicgrid.petitions.events import EXTENDED, MOVED, REGISTERED
from civicgrid.petitions.models import Petition, PetitionState

from .conftest import MATTER, petition_input

pytestmark = pytest.mark.django_db


def _case(operator, district, **kw):
    return f.make_case(actor=operator, grid=district["grid11"], **kw)


def test_a_petition_is_registered_on_its_case_with_the_acceptance_deadline(new_case, operator):
    received = timezone.localdate() - timedelta(days=3)
    petition = services.register(new_case, petition_input(received_on=received), actor=operator)
    assert petition.state == PetitionState.REGISTERED
    assert petition.decide_by == received + timedelta(days=15)
    assert petition.masked_name == "张*"
    assert petition.masked_phone == "139****5678"
    assert petition.identity_hash
    assert "13912345678" not in petition.identity_hash
    assert CaseEvent.objects.filter(case=new_case, action=REGISTERED).exists()


def test_the_window_registers_a_new_case_and_its_petition_in_one_step(operator, district):
    petition = services.register_with_case(
        petition_input(form="letter"), actor=operator, title="工地夜间施工"
    )
    assert petition.case.title == "工地夜间施工"
    assert petition.case.channel == "walk_in"
    assert petition.case.reporter_name == "张三"


def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(operator, district):
    tomorrow = timezone.localdate() + timedelta(days=1)
    bad = [
        ({"form": "fax"}, "form of the petition"),
        ({"petitioner_name": " "}, "petitioner's name"),
        ({"petitioner_phone": "", "petitioner_id_number": ""}, "phone or ID number"),
        ({"petitioner_id_number": "12345"}, "15 or 18"),
        ({"matter": ""}, "Describe the matter"),
        ({"received_on": tomorrow}, "in the future"),
        ({"received_on": "2020-13-40"}, "YYYY-MM-DD"),
        ({"addressed_to": "moon"}, "level the petition was addressed"),
        ({"receiving_office": ""}, "receiving office"),
        ({"co_petitioners": -1}, "co-petitioners"),
    ]
    for change, words in bad:
        with pytest.raises(InvalidAction, match=words):
            services.register_with_case(petition_input(**change), actor=operator)
    assert Petition.objects.count() == 0
    assert Case.objects.count() == 0


def test_a_second_petition_on_one_case_is_refused(petition, operator):
    with pytest.raises(InvalidAction, match="already has a petition"):
        services.register(petition.case, petition_input(), actor=operator)


def test_the_same_person_on_the_same_matter_is_a_repeat_petition(petition, operator, district):
    again = services.register(
        _case(operator, district),
        # The same person, typed with a space and full-width digits, in other words.
        petition_input(
            petitioner_name="张 三",
            petitioner_phone="１３９１２３４５６７８",
            matter="工地夜间施工噪音扰民，多次向街道反映仍未解决，要求停止夜间施工！",
        ),
        actor=operator,
    )
    assert again.repeat_of == petition
    assert again.repeat_count == 1
    third = services.register(_case(operator, district), petition_input(), actor=operator)
    assert third.repeat_of == petition
    assert third.repeat_count == 2
    event = CaseEvent.objects.get(case=third.case, action=REGISTERED)
    assert event.data["repeat_of"] == petition.case.number


def test_another_matter_or_another_person_is_not_a_repeat(petition, operator, district):
    other_matter = services.register(
        _case(operator, district),
        petition_input(matter="申请低保被拒，认为审核不公，请求重新审核家庭收入情况。"),
        actor=operator,
    )
    other_person = services.register(
        _case(operator, district), petition_input(petitioner_phone="13700001111"), actor=operator
    )
    assert other_matter.repeat_of is None
    assert other_person.repeat_of is None


def test_the_identity_hash_is_keyed_and_normalised(settings):
    one = matching.identity_hash("张三", phone="139-1234-5678")
    assert one == matching.identity_hash(" 张三 ", phone="13912345678")
    assert matching.identity_hash("张三", id_number="37050219800101001x") == (
        matching.identity_hash("张三", id_number="37050219800101001X")
    )
    assert matching.identity_hash("张三") == ""
    settings.SECRET_KEY = "another key"
    assert matching.identity_hash("张三", phone="13912345678") != one


def test_text_match_finds_the_same_matter_said_differently():
    assert matching.same_matter(MATTER, "工地夜间施工噪音扰民，要求停止夜间施工")
    assert not matching.same_matter(MATTER, "申请低保被拒，请求重新审核")


def test_a_petition_to_a_higher_level_is_flagged(new_case, operator):
    petition = services.register(
        new_case, petition_input(higher_level=True, addressed_to="province"), actor=operator
    )
    assert petition.higher_level
    assert CaseEvent.objects.get(case=new_case, action=REGISTERED).data["higher_level"] is True


def test_accepting_starts_the_sixty_day_handling_clock(petition, operator):
    today = timezone.localdate()
    services.accept(petition, actor=operator, today=today)
    assert petition.state == PetitionState.ACCEPTED
    assert petition.decided_on == today
    assert petition.due_on == today + timedelta(days=60)
    assert CaseEvent.objects.filter(case=petition.case, action=MOVED).exists()


def test_the_lights_follow_the_fifteen_and_sixty_day_limits(petition, operator):
    received = petition.received_on
    assert services.light(petition, received + timedelta(days=2)) == Light.GREEN
    assert services.light(petition, received + timedelta(days=12)) == Light.YELLOW
    assert services.light(petition, received + timedelta(days=16)) == Light.RED
    overdue = Petition.objects.filter(services.overdue_q(received + timedelta(days=16)))
    assert list(overdue) == [petition]
    accepted_on = received + timedelta(days=5)
    services.accept(petition, actor=operator, today=accepted_on)
    assert services.light(petition, accepted_on + timedelta(days=47)) == Light.GREEN
    assert services.light(petition, accepted_on + timedelta(days=48)) == Light.YELLOW
    assert services.light(petition, accepted_on + timedelta(days=61)) == Light.RED
    assert services.days_left(petition, accepted_on + timedelta(days=50)) == 10


def test_a_refusal_needs_a_reason_and_a_lawful_route(petition, operator):
    with pytest.raises(InvalidAction, match="why the petition is not accepted"):
        services.refuse(petition, actor=operator, reason="", route="向人民法院提起诉讼")
    with pytest.raises(InvalidAction, match="lawful route"):
        services.refuse(petition, actor=operator, reason="属于诉讼事项", route=" ")
    petition.refresh_from_db()
    assert petition.state == PetitionState.REGISTERED
    services.refuse(petition, actor=operator, reason="属于诉讼事项", route="向人民法院提起诉讼")
    assert petition.state == PetitionState.NOT_ACCEPTED
    assert petition.lawful_route == "向人民法院提起诉讼"


def test_impossible_moves_are_refused_by_the_table(petition, operator):
    with pytest.raises(TransitionNotAllowed, match="cannot be"):
        services.reply(petition, actor=operator, opinion="已处理")
    with pytest.raises(TransitionNotAllowed):
        services.close(petition, actor=operator)
    services.accept(petition, actor=operator)
    with pytest.raises(TransitionNotAllowed):
        services.accept(petition, actor=operator)
    services.start(petition, actor=operator)
    services.reply(petition, actor=operator, opinion="已责令工地夜间停工。")
    services.close(petition, actor=operator)
    with pytest.raises(TransitionNotAllowed):
        services.start(petition, actor=operator)
    assert petition.state == PetitionState.CLOSED


def test_of_two_officers_deciding_at_once_one_wins(petition, operator, dispatcher):
    stale = Petition.objects.get(pk=petition.pk)
    services.accept(petition, actor=operator)
    with pytest.raises(ConcurrentUpdate):
        services.refuse(stale, actor=dispatcher, reason="x", route="申请仲裁")
    petition.refresh_from_db()
    assert petition.state == PetitionState.ACCEPTED


def test_a_leader_extends_once_by_at_most_thirty_days_with_a_reason(petition, operator, leader):
    services.accept(petition, actor=operator)
    due = petition.due_on
    with pytest.raises(ActionRefused):
        services.extend(petition, actor=operator, days=30, reason="情况复杂")
    with pytest.raises(InvalidAction, match="1 to 30"):
        services.extend(petition, actor=leader, days=31, reason="情况复杂")
    with pytest.raises(InvalidAction, match="reason"):
        services.extend(petition, actor=leader, days=30, reason="")
    services.extend(petition, actor=leader, days=30, reason="涉及多个部门，情况复杂")
    assert petition.due_on == due + timedelta(days=30)
    assert petition.extended_by == leader
    assert petition.extended_at is not None
    assert CaseEvent.objects.filter(case=petition.case, action=EXTENDED).count() == 1
    with pytest.raises(InvalidAction, match="already extended"):
        services.extend(petition, actor=leader, days=5, reason="再延")


def test_an_extension_needs_a_running_clock(petition, leader):
    with pytest.raises(InvalidAction, match="being handled"):
        services.extend(petition, actor=leader, days=10, reason="情况复杂")


def test_one_leader_owns_a_petition_and_logs_receptions_and_visits(
    petition, leader, second_leader, operator
):
    with pytest.raises(ActionRefused):
        services.take_ownership(petition, actor=operator)
    services.take_ownership(petition, actor=leader)
    assert petition.leader == leader
    with pytest.raises(InvalidAction, match="Another leader"):
        services.take_ownership(Petition.objects.get(pk=petition.pk), actor=second_leader)
    with pytest.raises(ActionRefused):
        services.log_contact(
            petition,
            actor=second_leader,
            kind="reception",
            held_on=timezone.localdate(),
            place="接待室",
            said="x",
            outcome="y",
        )
    with pytest.raises(InvalidAction, match="took place"):
        services.log_contact(
            petition,
            actor=leader,
            kind="visit",
            held_on=timezone.localdate() + timedelta(days=2),
            place="工地",
            said="x",
            outcome="y",
        )
    contact = services.log_contact(
        petition,
        actor=leader,
        kind="visit",
        held_on=timezone.localdate(),
        place="工地现场",
        said="听取了居民意见",
        outcome="工地承诺22点后停工",
    )
    assert list(petition.contacts.all()) == [contact]


def test_the_petitioner_is_revealed_only_with_an_audit_row(petition, operator, outsider):
    with pytest.raises(ActionRefused):
        services.reveal_petitioner(petition, actor=outsider)
    assert PersonalDataRead.objects.count() == 0
    shown = services.reveal_petitioner(petition, actor=operator, reason="回访")
    assert shown["phone"] == "13912345678"
    assert PersonalDataRead.objects.filter(user=operator, subject=petition.case.number).exists()


def test_an_outsider_cannot_register_or_decide(new_case, petition, outsider, district):
    with pytest.raises(ActionRefused):
        services.accept(petition, actor=outsider)
    assert services.visible_petitions(outsider).count() == 0


def test_consent_to_mediation_is_recorded_once(petition, operator):
    services.record_mediation_consent(petition, actor=operator)
    first = petition.mediation_consent_at
    services.record_mediation_consent(petition, actor=operator)
    assert petition.mediation_consent_at == first
    assert petition.mediation_consent_by == operator


def _replied(petition, operator, today):
    services.accept(petition, actor=operator, today=today)
    services.start(petition, actor=operator)
    return services.reply(petition, actor=operator, opinion="已责令整改。", today=today)


def test_a_review_is_asked_within_thirty_days_and_answered_within_thirty(petition, operator):
    replied = timezone.localdate() - timedelta(days=40)
    _replied(petition, operator, replied)
    with pytest.raises(InvalidAction, match="within 30 days"):
        services.request_review(petition, actor=operator, asked_on=replied + timedelta(days=31))
    with pytest.raises(InvalidAction, match="after the opinion"):
        services.request_review(petition, actor=operator, asked_on=replied - timedelta(days=1))
    asked = replied + timedelta(days=30)
    services.request_review(petition, actor=operator, asked_on=asked)
    assert petition.state == PetitionState.REVIEWING
    assert petition.review_due_on == asked + timedelta(days=30)
    assert services.light(petition, asked + timedelta(days=31)) == Light.RED
    with pytest.raises(TransitionNotAllowed):
        services.close(petition, actor=operator)
    with pytest.raises(InvalidAction, match="review opinion"):
        services.review(petition, actor=operator, opinion=" ")
    services.review(petition, actor=operator, opinion="维持原处理意见。")
    services.close(petition, actor=operator)
    assert petition.state == PetitionState.CLOSED
