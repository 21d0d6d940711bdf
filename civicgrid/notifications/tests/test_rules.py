"""For each event that needs someone's action, exactly the right people are told."""

from datetime import timedelta

import pytest
from django.db import transaction

from civicgrid.accounts.models import Role
from civicgrid.cases import events, services
from civicgrid.cases.events import Note
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f
from civicgrid.notifications.models import Notification
from civicgrid.notifications.rules import DISPATCHERS, RULES, STEP_HOLDER, notify
from civicgrid.notifications.services import notify_for_event

from .conftest import case_at, new_case


def act(w, status, action, actor, **data):
    case = case_at(w, status)
    return services.act(case, action, actor=getattr(w, actor), **data)


# Kinds of upper apps are named by their code: notifications is below them.
def side_event(w, status, action, **data):
    """A note, written the way every app writes its events."""
    case = case_at(w, status)
    with transaction.atomic():
        return events.record(case, action, actor=None, data=data)


def overdue(w):
    case = case_at(w, "handling")
    services.mark_overdue(now=case.due_at + timedelta(minutes=1))
    return case.events.get(action=Action.MARK_OVERDUE)


def escalate_to_city(w):
    f.make_user(Role.DISPATCHER, regions=[w.district["city"]], username="citydispatcher")
    return act(w, "registered", Action.ESCALATE, "dispatcher", note="跨区问题", to="parent")


def send_back(w):
    city = f.make_user(Role.DISPATCHER, regions=[w.district["city"]], username="citydispatcher")
    case = case_at(w, "registered")
    services.act(case, Action.ESCALATE, actor=w.dispatcher, note="跨区问题", to="parent")
    return services.act(case, Action.SEND_BACK, actor=city, note="属区级事权")


def merge(w):
    target = case_at(w, "handling")
    duplicate = new_case(w)
    return services.act(duplicate, Action.MERGE, actor=w.operator, into=target.number)


def returned(w, action=None, **data):
    case = case_at(w, "dispatched")
    event = services.act(case, Action.RETURN, actor=w.handler, note="不属于本局")
    if action is None:
        return event
    return services.act(case, action, actor=w.dispatcher, **data)


def reassigned(w):
    new = f.make_department("供水公司", code="GSGS")
    f.make_user(Role.HANDLER, department=new, username="newhandler")
    case = case_at(w, "handling")
    return services.act(
        case, Action.REASSIGN, actor=w.dispatcher, main_department=new.pk, note="改派"
    )


ROWS = {
    "a normal new case waits in the queue": (
        lambda w: new_case(w).events.get(),
        set(),
    ),
    "an urgent new case interrupts the dispatchers": (
        lambda w: new_case(w, urgency="urgent").events.get(),
        {"dispatcher"},
    ),
    "dispatch tells the main and co-handling departments": (
        lambda w: act(
            w,
            "registered",
            Action.DISPATCH,
            "dispatcher",
            main_department=w.bureau.pk,
            co_departments=[w.co_bureau.pk],
        ),
        {"handler", "cohandler"},
    ),
    "a return waits for the owning centre's dispatchers": (
        returned,
        {"dispatcher"},
    ),
    "an accepted return tells the departments that had the case": (
        lambda w: returned(w, Action.ACCEPT_RETURN),
        {"handler", "cohandler"},
    ),
    "an overruled return tells the department": (
        lambda w: returned(w, Action.OVERRULE_RETURN, note="属于本局职责"),
        {"handler"},
    ),
    "a withdrawal tells the departments that had the case": (
        lambda w: act(w, "handling", Action.WITHDRAW, "dispatcher", note="派错了"),
        {"handler", "cohandler"},
    ),
    "a reassignment tells the department that had it and the new one": (
        reassigned,
        {"handler", "cohandler", "newhandler"},
    ),
    "an extension request waits for dispatchers and leaders": (
        lambda w: act(w, "handling", Action.REQUEST_EXTENSION, "handler", days=2, note="缺件"),
        {"dispatcher", "leader"},
    ),
    "an approved extension tells the department": (
        lambda w: act(w, "extension_requested", Action.APPROVE_EXTENSION, "dispatcher"),
        {"handler"},
    ),
    "a refused extension tells the department": (
        lambda w: act(w, "extension_requested", Action.REFUSE_EXTENSION, "leader", note="不批"),
        {"handler"},
    ),
    "a reply is verified by the grid's worker or a dispatcher": (
        lambda w: act(w, "handling", Action.REPLY, "handler", reply="已修复"),
        {"gridworker", "dispatcher"},
    ),
    "a passed verification waits for the operators' callback": (
        lambda w: act(w, "replied", Action.VERIFY_PASS, "grid_worker"),
        {"operator"},
    ),
    "a failed verification sends the department back to work": (
        lambda w: act(w, "replied", Action.VERIFY_FAIL, "grid_worker", note="灯还是不亮"),
        {"handler"},
    ),
    "an unsatisfied citizen is for the dispatchers to reopen": (
        lambda w: act(w, "verified", Action.CALLBACK, "operator", rating="unsatisfied"),
        {"dispatcher"},
    ),
    "a satisfied citizen needs nobody": (
        lambda w: act(w, "verified", Action.CALLBACK, "operator", rating="satisfied"),
        set(),
    ),
    "a reopened case goes back to the departments": (
        lambda w: act(w, "rated", Action.REOPEN, "dispatcher", note="群众不满意"),
        {"handler", "cohandler"},
    ),
    "urging a case being handled tells its department": (
        lambda w: act(w, "handling", Action.URGE, "leader", note="今天办结"),
        {"handler"},
    ),
    "urging a case awaiting triage tells the dispatchers": (
        lambda w: act(w, "registered", Action.URGE, "leader", note="尽快派单"),
        {"dispatcher"},
    ),
    "an overdue case tells its department and the dispatchers": (
        overdue,
        {"handler", "dispatcher"},
    ),
    "escalation tells the higher centre only": (
        escalate_to_city,
        {"citydispatcher"},
    ),
    "sending an escalated case back tells the district centre": (
        send_back,
        {"dispatcher"},
    ),
    "a joint consultation tells the district centre": (
        lambda w: act(w, "handling", Action.ESCALATE, "leader", note="多部门会商", to="joint"),
        {"dispatcher"},
    ),
    "a merged case tells whoever holds the case it joined": (
        merge,
        {"handler"},
    ),
    "a citizen's note tells whoever holds the step": (
        lambda w: side_event(w, "handling", Note.ADD_NOTE),
        {"handler"},
    ),
    "a whistle summons the named departments": (
        lambda w: side_event(w, "handling", "whistle", department_ids=[w.co_bureau.pk]),
        {"cohandler"},
    ),
    "a department reporting in tells the grid's workers": (
        lambda w: side_event(w, "handling", "report_in"),
        {"gridworker"},
    ),
    "acknowledging needs nobody else": (
        lambda w: act(w, "dispatched", Action.ACKNOWLEDGE, "handler"),
        set(),
    ),
}


@pytest.mark.parametrize("row", ROWS, ids=list(ROWS))
def test_each_event_tells_exactly_the_people_who_must_act(
    row, world, django_capture_on_commit_callbacks
):
    make_event, expected = ROWS[row]
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(world)
    told = set(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )
    assert told == expected


def test_the_actor_is_not_told_of_their_own_action(world, django_capture_on_commit_callbacks):
    other = f.make_user(Role.HANDLER, department=world.bureau, username="colleague")
    with django_capture_on_commit_callbacks(execute=True):
        event = act(world, "handling", Action.REQUEST_EXTENSION, "handler", days=1, note="x")
        urge = act(world, "handling", Action.URGE, "leader", note="快")
    assert not Notification.objects.filter(event=event, recipient=world.handler).exists()
    assert set(Notification.objects.filter(event=urge).values_list("recipient", flat=True)) == {
        world.handler.pk,
        other.pk,
    }


def test_an_inactive_account_is_not_told(world, django_capture_on_commit_callbacks):
    case = case_at(world, "handling")
    world.handler.is_active = False
    world.handler.save()
    with django_capture_on_commit_callbacks(execute=True):
        event = services.act(case, Action.URGE, actor=world.leader, note="快")
    assert not Notification.objects.filter(event=event).exists()


def test_a_normal_intake_costs_no_query_for_notifications(world, django_assert_num_queries):
    case = new_case(world)
    event = case.events.get()
    event.case = case
    with django_assert_num_queries(0):
        assert notify_for_event(event) == 0


def test_a_rule_added_for_a_note_fires(world, monkeypatch, django_capture_on_commit_callbacks):
    """A new notification is one line in ``RULES``, for a note of an upper app too."""
    monkeypatch.setitem(RULES, "alert_repeated", notify(STEP_HOLDER))
    with django_capture_on_commit_callbacks(execute=True):
        event = side_event(world, "handling", "alert_repeated", repeats=2)
    told = Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    assert set(told) == {"handler"}


def test_a_kind_declared_later_reaches_its_rule(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(events.KINDS, "test_drill", events.Kind("test_drill", "drill"))
    monkeypatch.setitem(RULES, "test_drill", notify(DISPATCHERS))
    with django_capture_on_commit_callbacks(execute=True):
        event = side_event(world, "registered", "test_drill")
    told = Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    assert set(told) == {"dispatcher"}


def test_a_note_without_a_rule_reaches_no_one(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as handed:
        event = side_event(world, "handling", "alert_repeated", repeats=2)
    assert handed  # handed to the consumers all the same
    assert not Notification.objects.filter(event=event).exists()


def test_an_undeclared_kind_is_refused(world):
    with pytest.raises(events.UnknownKind):
        side_event(world, "handling", "no_such_kind")


def test_a_person_is_told_as_the_role_whose_grant_covers_the_case(
    world, other_district, django_capture_on_commit_callbacks
):
    """Dispatcher next door and mediator here: not told as this district's dispatcher."""
    from civicgrid.accounts.services import grant_role

    person = f.make_user(Role.DISPATCHER, regions=[other_district["district"]], username="twohats")
    grant_role(person, Role.MEDIATOR, regions=[world.district["district"]])
    with django_capture_on_commit_callbacks(execute=True):
        event = new_case(world, urgency="urgent").events.get()
    told = set(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )
    assert told == {"dispatcher"}
    grant_role(person, Role.DISPATCHER, regions=[world.district["street1"]])
    with django_capture_on_commit_callbacks(execute=True):
        event = new_case(world, urgency="urgent").events.get()
    told = set(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )
    assert told == {"dispatcher", "twohats"}
