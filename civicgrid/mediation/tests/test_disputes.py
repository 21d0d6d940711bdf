"""Disputes from hand-over to outcome: the table, the limits, the grading, the scope."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases.lifecycle import (
    ActionRefused,
    ConcurrentUpdate,
    InvalidAction,
    TransitionNotAllowed,
)
from civicgrid.cases.models import CaseEvent, Status
from civicgrid.cases.tests import factories as f
from civicgrid.core.models import PersonalDataRead
from civicgrid.mediation import aftercare, services
from civicgrid.mediation.events import GRADED, HANDED_OVER, MOVED
from civicgrid.mediation.models import (
    Colour,
    Court,
    Dispute,
    DisputeState,
    DisputeType,
    Level,
    Mediator,
    Organisation,
    OrganisationKind,
    Refusal,
    ResolutionMethod,
    Scale,
    Source,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mediator(district):
    return f.make_user(Role.MEDIATOR, regions=[district["district"]], username="mediator")


@pytest.fixture
def team(district, mediator):
    team = Organisation.objects.create(
        name="劳动保障专业调委会", kind=OrganisationKind.TEAM, region=district["district"]
    )
    Mediator.objects.create(name="王调解", user=mediator, organisation=team)
    Mediator.objects.create(name="李调解", organisation=team)
    return team


def _dispute(case, actor, **kw):
    kw.setdefault("type_code", "0201")
    kw.setdefault("source", Source.SCREENING)
    kw.setdefault("other_side_consents", True)
    kw.setdefault(
        "parties",
        [
            services.PartyInput("applicant", "赵大明", "13900001111"),
            services.PartyInput("respondent", "钱小红", "13900002222"),
        ],
    )
    return services.hand_over(case, actor=actor, **kw)


def _routes(*names):
    return [m.pk for m in ResolutionMethod.objects.filter(name__in=names)]


def _session(dispute, actor, **kw):
    kw.setdefault("held_at", timezone.now() - timedelta(hours=1))
    kw.setdefault("place", "社区调解室")
    kw.setdefault("attendees", "双方当事人")
    kw.setdefault("record", "双方陈述意见。")
    return services.add_session(dispute, actor=actor, **kw)


def test_the_taxonomies_are_loaded_as_rows_with_two_levels():
    assert DisputeType.objects.get(code="0201").parent.name == "邻里纠纷"
    assert DisputeType.objects.filter(parent__isnull=True).count() >= 17
    assert ResolutionMethod.objects.count() == 15
    assert ResolutionMethod.objects.first().name == "司法调解"


@pytest.mark.parametrize(
    ("people", "scale", "level", "colour"),
    [
        (2, Scale.INDIVIDUAL, Level.GENERAL, Colour.YELLOW),
        (49, Scale.INDIVIDUAL, Level.GENERAL, Colour.YELLOW),
        (50, Scale.GROUP, Level.SERIOUS, Colour.ORANGE),
        (100, Scale.GROUP, Level.SERIOUS, Colour.ORANGE),
        (101, Scale.MAJOR_GROUP, Level.MAJOR, Colour.RED),
        (500, Scale.MAJOR_GROUP, Level.MAJOR, Colour.RED),
        (501, Scale.MAJOR_GROUP, Level.GRAVE, Colour.RED),
    ],
)
def test_the_people_involved_grade_the_risk(people, scale, level, colour):
    assert services.grade_for(people) == services.Grade(scale, level, colour)


def test_a_case_handed_over_becomes_a_dispute_on_the_same_timeline(new_case, mediator):
    dispute = _dispute(new_case, mediator, people_involved=3, amount="1200.50")
    assert dispute.case == new_case
    assert dispute.state == DisputeState.REGISTERED
    assert dispute.colour == Colour.YELLOW
    assert [p.masked_name for p in dispute.parties.all()] == ["赵**", "钱**"]
    assert dispute.parties.first().masked_phone == "139****1111"
    actions = list(new_case.events.values_list("action", flat=True))
    assert HANDED_OVER in actions
    assert GRADED in actions
    assert not new_case.events.get(action=HANDED_OVER).public


def test_a_case_is_handed_over_once_and_bad_input_saves_nothing(new_case, mediator):
    with pytest.raises(InvalidAction) as bad:
        _dispute(new_case, mediator, type_code="nope")
    assert bad.value.errors == {"type": "Choose the type of dispute."}
    with pytest.raises(InvalidAction):
        _dispute(new_case, mediator, people_involved=0)
    with pytest.raises(InvalidAction):
        _dispute(new_case, mediator, amount="-5")
    assert not Dispute.objects.exists()
    _dispute(new_case, mediator)
    with pytest.raises(InvalidAction, match="already a dispute"):
        _dispute(new_case, mediator)


def test_a_handler_cannot_hand_over(new_case, handler):
    with pytest.raises(ActionRefused):
        _dispute(new_case, handler)


def test_acceptance_needs_the_other_sides_consent_and_starts_the_month(new_case, mediator):
    dispute = _dispute(new_case, mediator, other_side_consents=False)
    with pytest.raises(InvalidAction, match="not consented"):
        services.accept(dispute, actor=mediator)
    services.record_consent(dispute, actor=mediator)
    now = timezone.now()
    services.accept(dispute, actor=mediator, now=now)
    assert dispute.state == DisputeState.ACCEPTED
    assert dispute.due_at == now + timedelta(days=30)
    assert services.light(dispute, now) == "green"
    assert services.light(dispute, now + timedelta(days=25)) == "yellow"
    assert services.light(dispute, now + timedelta(days=31)) == "red"


def test_court_entrusted_disputes_have_fifteen_working_days(new_case, mediator):
    dispute = _dispute(new_case, mediator, source=Source.COURT_ENTRUSTED)
    assert dispute.court == Court.ENTRUSTED
    start = timezone.now()
    services.accept(dispute, actor=mediator, now=start)
    # Fifteen working days are at least three calendar weeks.
    assert dispute.due_at - start >= timedelta(days=19)
    simplified = services.mediation_window(Court.SIMPLIFIED, start)[1]
    assert simplified < dispute.due_at


def test_a_refusal_names_the_reason_and_the_lawful_routes(new_case, mediator):
    dispute = _dispute(new_case, mediator)
    with pytest.raises(InvalidAction, match="lawful route"):
        services.refuse(dispute, actor=mediator, reason=Refusal.BEFORE_BODY, routes=[])
    assert Dispute.objects.get().state == DisputeState.REGISTERED
    services.refuse(
        dispute, actor=mediator, reason=Refusal.BEFORE_BODY, routes=_routes("诉讼", "行政复议")
    )
    assert dispute.state == DisputeState.REFUSED
    assert {r.name for r in dispute.routes.all()} == {"诉讼", "行政复议"}
    event = new_case.events.filter(action=MOVED).last()
    assert event.data["refusal"] == Refusal.BEFORE_BODY


def test_impossible_moves_are_refused_by_the_table(new_case, mediator):
    dispute = _dispute(new_case, mediator)
    with pytest.raises(TransitionNotAllowed, match="cannot be"):
        services.agree(
            dispute,
            actor=mediator,
            facts="x",
            obligations=[services.ObligationInput("a", "b", timezone.localdate())],
            signed=True,
        )
    services.accept(dispute, actor=mediator)
    _session(dispute, mediator)
    services.fail(dispute, actor=mediator, reason="双方分歧大", routes=_routes("诉讼"))
    with pytest.raises(TransitionNotAllowed):
        services.apply_confirmation(dispute, actor=mediator)


def test_of_two_racing_moves_one_wins(new_case, mediator):
    dispute = _dispute(new_case, mediator)
    stale = Dispute.objects.get(pk=dispute.pk)
    services.accept(dispute, actor=mediator)
    with pytest.raises(ConcurrentUpdate):
        services.refuse(stale, actor=mediator, reason=Refusal.SIDE_REFUSES, routes=_routes("诉讼"))
    assert Dispute.objects.get().state == DisputeState.ACCEPTED


def test_sessions_then_a_signed_agreement_start_the_confirmation_countdown(new_case, mediator):
    dispute = _dispute(new_case, mediator)
    services.accept(dispute, actor=mediator)
    with pytest.raises(InvalidAction, match="in advance"):
        _session(dispute, mediator, held_at=timezone.now() + timedelta(days=2))
    _session(dispute, mediator)
    assert dispute.state == DisputeState.MEDIATING
    _session(dispute, mediator, place="", video=True, signed=True)
    assert dispute.sessions.count() == 2
    assert dispute.sessions.last().signed_by == mediator
    due = timezone.localdate() + timedelta(10)
    agreed = {"facts": "事实", "obligations": [services.ObligationInput("钱小红", "拆墙", due)]}
    with pytest.raises(InvalidAction, match="signed"):
        services.agree(dispute, actor=mediator, signed=False, **agreed)
    assert Dispute.objects.get().state == DisputeState.MEDIATING
    services.agree(dispute, actor=mediator, signed=True, **agreed)
    assert dispute.state == DisputeState.AGREED
    assert services.confirmation_days_left(dispute) == 30
    assert services.light(dispute, timezone.now() + timedelta(days=25)) == "yellow"
    services.apply_confirmation(dispute, actor=mediator)
    with pytest.raises(InvalidAction, match="Not every obligation"):
        services.perform(dispute, actor=mediator)
    aftercare.follow_up(
        dispute.obligations.get(), actor=mediator, result="performed", on=timezone.localdate()
    )
    services.perform(dispute, actor=mediator)
    services.close(dispute, actor=mediator)
    assert dispute.state == DisputeState.CLOSED
    assert dispute.obligations.get().performed_on is not None


def test_the_time_limit_is_extended_once_with_both_sides_consent(new_case, mediator):
    dispute = _dispute(new_case, mediator)
    services.accept(dispute, actor=mediator)
    due = dispute.due_at
    with pytest.raises(InvalidAction, match="consent of both"):
        services.extend(dispute, actor=mediator, both_consent=False)
    services.extend(dispute, actor=mediator, both_consent=True)
    assert dispute.due_at == due + timedelta(days=30)
    with pytest.raises(InvalidAction, match="already extended"):
        services.extend(dispute, actor=mediator, both_consent=True)


def test_a_failure_goes_down_the_green_channel_as_an_ordinary_dispatch(new_case, mediator, bureau):
    dispute = _dispute(new_case, mediator)
    services.accept(dispute, actor=mediator)
    _session(dispute, mediator)
    services.fail(dispute, actor=mediator, reason="对方拒不让步", routes=_routes("诉讼"))
    services.refer(dispute, actor=mediator, to="department", note="请依法处理", department=bureau)
    new_case.refresh_from_db()
    assert dispute.state == DisputeState.REFERRED
    assert new_case.status == Status.DISPATCHED
    assert new_case.main_department == bureau


def test_assignment_scopes_mediators_to_their_organisations_disputes(
    new_case, mediator, team, district
):
    other = Organisation.objects.create(name="街道人民调解委员会", kind=OrganisationKind.STREET)
    other_mediator = f.make_user(Role.MEDIATOR, regions=[district["district"]])
    stranger = Mediator.objects.create(name="孙调解", user=other_mediator, organisation=other)
    dispute = _dispute(new_case, mediator)
    assert services.visible_disputes(other_mediator).count() == 1  # unassigned: the window
    with pytest.raises(InvalidAction, match="not an available mediator"):
        services.assign(dispute, actor=mediator, organisation=team, mediators=[stranger])
    services.assign(
        dispute, actor=mediator, organisation=team, mediators=list(team.mediators.all()[:1])
    )
    assert services.visible_disputes(mediator).count() == 1
    assert services.visible_disputes(other_mediator).count() == 0
    with pytest.raises(ActionRefused, match="another mediation organisation"):
        services.accept(dispute, actor=other_mediator)


def test_recusal_replaces_the_mediator_and_is_recorded(new_case, mediator, team):
    dispute = _dispute(new_case, mediator)
    first, second = team.mediators.order_by("name")
    services.assign(dispute, actor=mediator, organisation=team, mediators=[first])
    services.recuse(
        dispute, actor=mediator, mediator=first, replacement=second, reason="与对方是亲戚"
    )
    assert list(dispute.mediators.all()) == [second]
    assert CaseEvent.objects.filter(case=new_case, action="dispute_recused").exists()


def test_a_partys_contact_is_revealed_only_with_an_audit_row(new_case, mediator, handler):
    dispute = _dispute(new_case, mediator)
    party = dispute.parties.first()
    assert services.reveal_party(party, actor=mediator)["phone"] == "13900001111"
    assert PersonalDataRead.objects.filter(user=mediator, subject=new_case.number).count() == 1
    with pytest.raises(ActionRefused):
        services.reveal_party(party, actor=handler)


def test_a_signed_scan_is_a_checked_file_of_the_case_never_public(new_case, mediator):
    dispute = _dispute(new_case, mediator)
    services.accept(dispute, actor=mediator)
    session = _session(dispute, mediator, scan=f.make_image("笔录签字.jpg"))
    assert session.signed
    assert session.signed_scan.case == new_case
    assert not session.signed_scan.event.public
    fake = SimpleUploadedFile("笔录.pdf", b"<script>alert(1)</script>", "application/pdf")
    with pytest.raises(InvalidAction):
        _session(dispute, mediator, scan=fake)
    assert dispute.sessions.count() == 1


def test_a_dispatcher_who_mediates_in_one_street_sees_only_that_streets_disputes(
    district, operator, mediator
):
    from civicgrid.accounts.services import grant_role

    official = f.make_user(Role.DISPATCHER, regions=[district["district"]])
    grant_role(official, Role.MEDIATOR, regions=[district["street1"]])
    inside = f.make_case(actor=operator, grid=district["grid11"])
    outside = f.make_case(actor=operator, grid=district["grid21"])
    _dispute(inside, mediator)
    _dispute(outside, mediator)
    assert [d.case for d in services.visible_disputes(official)] == [inside]


def test_a_failure_can_go_to_the_court_and_the_case_stays_where_it_is(new_case, mediator, bureau):
    dispute = _dispute(new_case, mediator, source=Source.COURT_DELEGATED)
    services.accept(dispute, actor=mediator)
    _session(dispute, mediator)
    services.fail(dispute, actor=mediator, reason="被申请人拒绝调解方案", routes=_routes("诉讼"))
    services.refer(dispute, actor=mediator, to="court", note="请优先立案", department=bureau)
    new_case.refresh_from_db()
    assert dispute.state == DisputeState.REFERRED
    assert new_case.status == Status.REGISTERED
    assert new_case.events.filter(action=MOVED).last().data["organisation"] == "court"
