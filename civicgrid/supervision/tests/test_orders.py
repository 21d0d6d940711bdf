"""Supervision orders: issuing, the unit's response, the escalation rule and the leaders'
list."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicgrid.cases import services as case_services
from civicgrid.cases.lifecycle import Action, ActionRefused, InvalidAction
from civicgrid.cases.models import CaseEvent
from civicgrid.cases.tests import factories as f
from civicgrid.core.calendar import get_calendar
from civicgrid.supervision import services
from civicgrid.supervision.events import ORDER, RAISED, RESPONSE
from civicgrid.supervision.models import Level, Order, OrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(new_case, dispatcher, bureau):
    case_services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    new_case.refresh_from_db()
    return new_case


def working_days_after(moment, days):
    return get_calendar().add_working_days(moment, days)


def test_a_dispatcher_issues_an_urging_order_with_a_working_time_deadline(case, dispatcher, bureau):
    now = timezone.now()
    order = services.issue(
        case, bureau, Level.URGING, actor=dispatcher, reason="请加快处理", now=now
    )
    assert order.status == OrderStatus.OPEN
    assert order.due_at == working_days_after(now, 1)
    event = case.events.get(action=ORDER)
    assert event.data["level"] == Level.URGING
    assert event.public is False


def test_a_handler_may_not_issue_orders(case, handler, bureau):
    with pytest.raises(ActionRefused):
        services.issue(case, bureau, Level.URGING, actor=handler, reason="x")
    assert not Order.objects.exists()


def test_an_order_needs_a_reason_and_a_unit_of_the_case(case, dispatcher, other_bureau, bureau):
    with pytest.raises(InvalidAction, match="Say why"):
        services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="  ")
    with pytest.raises(InvalidAction, match="does not handle this case"):
        services.issue(case, other_bureau, Level.URGING, actor=dispatcher, reason="x")
    with pytest.raises(InvalidAction, match="Only a listed supervision"):
        services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="x", public=True)
    assert not Order.objects.exists()


def test_a_higher_order_raises_the_units_active_order_in_place(case, dispatcher, bureau):
    services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="催一下")
    order = services.issue(case, bureau, Level.SUPERVISION, actor=dispatcher, reason="督办")
    assert Order.objects.get().level == Level.SUPERVISION
    assert order.level == Level.SUPERVISION
    assert case.events.filter(action=RAISED).count() == 1
    with pytest.raises(InvalidAction, match="already has an order"):
        services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="again")


def test_a_listed_public_supervision_shows_on_the_public_timeline(case, dispatcher, bureau):
    from civicgrid.cases.publication.events import public_label

    services.issue(case, bureau, Level.LISTED, actor=dispatcher, reason="挂牌", public=True)
    event = case.events.get(action=ORDER)
    assert event.public is True
    assert public_label(ORDER) == "Listed for supervision by the centre"


def test_the_unit_responds_with_what_it_did_and_by_when(case, dispatcher, handler, bureau):
    order = services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="催办")
    with pytest.raises(InvalidAction, match="by when"):
        services.respond(order, actor=handler, response="已安排", done_by=None)
    done_by = timezone.localdate() + timedelta(days=2)
    services.respond(order, actor=handler, response="已安排维修", done_by=done_by)
    order.refresh_from_db()
    assert order.status == OrderStatus.RESPONDED
    assert order.done_by == done_by
    assert case.events.get(action=RESPONSE).data["late"] is False
    with pytest.raises(InvalidAction, match="already responded"):
        services.respond(order, actor=handler, response="again", done_by=done_by)


def test_another_unit_cannot_respond(case, dispatcher, other_handler, bureau):
    order = services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="催办")
    with pytest.raises(ActionRefused):
        services.respond(order, actor=other_handler, response="x", done_by=timezone.localdate())


def _late(case, days):
    """Make ``case`` ``days`` working days past its deadline."""
    now = timezone.now()
    # Walk back: the deadline such that ``days`` working days have passed by now.
    due = now
    while services.days_late(due, now) < days:
        due -= timedelta(hours=1)
    type(case).objects.filter(pk=case.pk).update(due_at=due)
    case.refresh_from_db()
    return case


def test_supervise_gives_a_late_case_urging_then_supervision(case, bureau):
    _late(case, 1.2)
    outcomes = services.supervise()
    assert outcomes["issued"] == 1
    order = Order.objects.get()
    assert (order.level, order.department, order.issued_by) == (Level.URGING, bureau, None)
    # Idempotent: a second pass issues nothing.
    assert services.supervise()["issued"] == 0
    assert Order.objects.count() == 1
    _late(case, 3.2)
    outcomes = services.supervise()
    order.refresh_from_db()
    assert order.level == Level.SUPERVISION
    assert outcomes["raised_late_case"] == 1
    assert case.events.filter(action=RAISED).count() == 1


def test_a_case_on_time_gets_no_order(case):
    assert services.supervise()["issued"] == 0
    assert not Order.objects.exists()


def test_an_unanswered_order_rises_one_level_and_stops_at_the_top(case, dispatcher, bureau):
    order = services.issue(case, bureau, Level.SUPERVISION, actor=dispatcher, reason="督办")
    later = order.due_at + timedelta(minutes=1)
    assert services.supervise(now=later)["raised_response"] == 1
    order.refresh_from_db()
    assert order.level == Level.LISTED
    assert order.status == OrderStatus.OPEN
    services.supervise(now=order.due_at + timedelta(minutes=1))
    order.refresh_from_db()
    assert (order.level, order.status) == (Level.LISTED, OrderStatus.OVERDUE)


def test_closing_the_case_closes_its_orders(case, dispatcher, bureau):
    order = services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="催办")
    type(case).objects.filter(pk=case.pk).update(status="closed")
    assert services.supervise()["closed"] == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED


def test_the_command_shows_progress_and_is_idempotent(case, capsys):
    _late(case, 1.5)
    call_command("supervise")
    out = capsys.readouterr().out
    assert "late cases looked at: 1 of 1" in out
    assert "Orders issued: 1" in out
    call_command("supervise")
    assert "Orders issued: 0" in capsys.readouterr().out
    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_issue_one_order_per_case(
    case, operator, dispatcher, district, category, bureau
):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the unique constraint is tested below")
    cases = [case]
    for _ in range(4):
        more = f.make_case(actor=operator, grid=district["grid11"], category=category)
        case_services.act(more, Action.DISPATCH, actor=dispatcher, main_department=bureau)
        cases.append(more)
    for late in cases:
        _late(late, 1.5)
    barrier = threading.Barrier(3)
    issued = []

    def run():
        barrier.wait()
        issued.append(services.supervise()["issued"])
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Order.objects.count() == 5
    assert sum(issued) == 5
    assert CaseEvent.objects.filter(action=ORDER).count() == 5


def test_a_second_active_order_for_the_same_unit_is_refused_by_the_database(case, bureau):
    from django.db import IntegrityError, transaction

    Order.objects.create(
        case=case, department=bureau, level="urging", due_at=timezone.now(), reason="a"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(
            case=case, department=bureau, level="urging", due_at=timezone.now(), reason="b"
        )


def test_a_lost_race_issues_nothing_and_says_so(case, dispatcher, bureau):
    order = services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="a")
    stale = Order.objects.get(pk=order.pk)
    assert services.raise_order(order, Level.SUPERVISION, actor=None, reason="b")
    # The stale copy still says "urging": its conditional update finds nothing.
    assert not services.raise_order(stale, Level.SUPERVISION, actor=None, reason="c")
    assert CaseEvent.objects.filter(case=case, action=RAISED).count() == 1


# --- pages -------------------------------------------------------------------------------


def test_the_handler_responds_on_the_case_page_and_sees_it_in_the_inbox(
    client, case, dispatcher, handler, bureau
):
    order = services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="请尽快处理")
    client.force_login(handler)
    inbox = client.get(reverse("cases:inbox")).content.decode()
    assert f'data-order="{order.pk}"' in inbox
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "Send the response" in page
    response = client.post(
        reverse("supervision:respond", args=[order.pk]),
        {"response": "已派人维修", "done_by": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "Response sent." in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.RESPONDED


def test_bad_input_on_the_page_changes_nothing(client, case, dispatcher, bureau):
    client.force_login(dispatcher)
    response = client.post(
        reverse("supervision:issue", args=[case.number]),
        {"department": bureau.pk, "level": "urging", "reason": "x", "public": "on"},
        follow=True,
    )
    assert "Only a listed supervision is shown to the public." in response.content.decode()
    assert not Order.objects.exists()


def test_a_dispatcher_issues_from_the_case_page(client, case, dispatcher, bureau):
    client.force_login(dispatcher)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "Issue a supervision order" in page
    client.post(
        reverse("supervision:issue", args=[case.number]),
        {"department": bureau.pk, "level": "supervision", "reason": "督办：三天未处理"},
    )
    assert Order.objects.get().level == Level.SUPERVISION


def test_the_leaders_list_filters_and_pages_in_constant_queries(
    client, leader, dispatcher, operator, district, category, bureau
):
    cases = []
    for i in range(6):
        c = f.make_case(actor=operator, grid=district["grid11"], category=category, title=f"案{i}")
        case_services.act(c, Action.DISPATCH, actor=dispatcher, main_department=bureau)
        c.refresh_from_db()
        cases.append(c)
    for c in cases[:4]:
        services.issue(c, bureau, Level.URGING, actor=dispatcher, reason="催办")
    services.issue(cases[4], bureau, Level.LISTED, actor=dispatcher, reason="挂牌")
    client.force_login(leader)
    url = reverse("supervision:orders")
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert page.count("data-order=") == 5
    # The listed order first.
    assert page.index('data-level="listed"') < page.index('data-level="urging"')
    services.issue(cases[5], bureau, Level.URGING, actor=dispatcher, reason="催办")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
    only = client.get(url, {"level": "listed"}).content.decode()
    assert only.count("data-order=") == 1
    assert "listed supervision (挂牌督办) 1" in page
    assert "urging (催办) 4" in page


def test_the_list_is_for_the_centre_only(client, handler):
    client.force_login(handler)
    assert client.get(reverse("supervision:orders")).status_code == 403


def test_the_public_reads_a_listed_supervision_but_never_its_reason(
    operator, dispatcher, district, category, bureau
):
    from civicgrid.cases.publication.events import timelines
    from civicgrid.cases.publication.rule import is_published

    citizen = f.make_case(
        actor=operator, grid=district["grid11"], category=category, channel="citizen"
    )
    case_services.act(citizen, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    citizen.refresh_from_db()
    assert is_published(citizen)
    services.issue(citizen, bureau, Level.URGING, actor=dispatcher, reason="内部催办 王建国")
    services.issue(
        citizen, bureau, Level.LISTED, actor=dispatcher, reason="挂牌：王建国", public=True
    )
    shown = timelines([citizen])[citizen.pk]
    supervised = [e for e in shown if e.action in (ORDER, RAISED)]
    assert len(supervised) == 1  # the internal urging stays inside
    assert supervised[0].text == ""
    assert supervised[0].detail == ""


def test_a_street_or_community_lists_the_orders_on_what_it_holds_and_the_district_all(
    client, operator, dispatcher, district, category, bureau
):
    from civicgrid.accounts.models import Role

    street = f.make_user(Role.DISPATCHER, regions=[district["street1"]], username="streetdisp")
    station = f.make_user(Role.DISPATCHER, regions=[district["community1"]], username="station")
    other = f.make_user(Role.DISPATCHER, regions=[district["street2"]], username="street2disp")
    held_below = f.make_case(actor=operator, grid=district["grid11"], category=category)
    raised = f.make_case(actor=operator, grid=district["grid12"], category=category)
    assert held_below.owner_region == district["community1"]
    case_services.act(held_below, Action.DISPATCH, actor=station, main_department=bureau)
    case_services.act(raised, Action.ESCALATE, actor=station, note="社区协调不了")
    case_services.act(raised, Action.DISPATCH, actor=street, main_department=bureau)
    for case in (held_below, raised):
        services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="请加快")

    def listed(user):
        client.force_login(user)
        page = client.get(reverse("supervision:orders")).content.decode()
        return {c.number for c in (held_below, raised) if c.number in page}

    assert listed(station) == {held_below.number}
    assert listed(street) == {raised.number}
    assert listed(other) == set()
    assert listed(dispatcher) == {held_below.number, raised.number}
