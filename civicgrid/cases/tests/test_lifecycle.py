"""The closed loop: the whole transition table, roles and scope, races, deadlines."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases import lifecycle, services
from civicgrid.cases.events import Note
from civicgrid.cases.lifecycle import TRANSITIONS, Action
from civicgrid.cases.models import Case, CaseEvent, Light, Rating, Status
from civicgrid.cases.tests import factories as f


@pytest.fixture
def admin_user(district):
    return f.make_user(Role.ADMIN, regions=[district["district"]], username="root")


def _force(case: Case, status: str, **fields) -> Case:
    """Put a case in ``status`` directly (test set-up only; the product never does this)."""
    Case.objects.filter(pk=case.pk).update(status=status, **fields)
    return Case.objects.get(pk=case.pk)


def _data_for(action, district, bureau, target, other_bureau=None):
    lng, lat = f.point_in(district["grid21"])
    return {
        Action.ANSWER_DIRECTLY: {"answer": "按政策可以办理。"},
        Action.REFER: {"kind": "legal_channel"},
        Action.MERGE: {"into": target.number},
        Action.PLACE: {"lng": lng, "lat": lat},
        Action.DISPATCH: {"main_department": bureau.pk},
        Action.REQUEST_EXTENSION: {"days": 2},
        Action.REPLY: {"reply": "已处理。"},
        Action.CALLBACK: {"rating": Rating.SATISFIED},
        Action.ESCALATE: {"to": "joint"},
        Action.REASSIGN: {"main_department": other_bureau.pk if other_bureau else None},
    }.get(action, {})


def test_every_move_in_the_table_works_and_every_other_is_refused(
    admin_user, operator, district, category, bureau, other_bureau
):
    statuses = list(Status)
    # Registration makes a case; it is not a move of an existing one.
    not_moves = (Action.REGISTER,)
    actions = [a for a in Action if a not in not_moves]
    target = f.make_case(actor=operator, grid=district["grid12"], category=category)
    checked = 0
    for status in statuses:
        for action in actions:
            case = f.make_case(actor=operator, grid=district["grid11"], category=category)
            case = _force(
                case,
                status,
                main_department=bureau,
                rating=Rating.SATISFIED,
                due_at=timezone.now() - timedelta(hours=1),
                # The grid worker raises only what a grid holds (docs/centres.md).
                **(
                    {"owner_region": district["grid11"]} if action == Action.RAISE_FROM_GRID else {}
                ),
            )
            actor = None if action == Action.MARK_OVERDUE else admin_user
            data = _data_for(action, district, bureau, target, other_bureau)
            if (status, action) in TRANSITIONS:
                event = lifecycle.apply(case, action, actor=actor, note="理由", **data)
                case.refresh_from_db()
                assert case.status == TRANSITIONS[(status, action)], (status, action)
                assert event.from_status == status
                assert event.to_status == case.status
            else:
                with pytest.raises(lifecycle.TransitionNotAllowed):
                    lifecycle.apply(case, action, actor=actor, note="理由", **data)
                case.refresh_from_db()
                assert case.status == status
            checked += 1
    assert checked == len(statuses) * len(actions)


def test_a_case_goes_round_the_whole_loop_with_one_event_per_step(
    new_case, dispatcher, handler, grid_worker, operator, bureau
):
    case = new_case
    assert case.status == Status.REGISTERED
    services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    services.act(case, Action.ACKNOWLEDGE, actor=handler)
    services.act(case, Action.REPLY, actor=handler, reply="路灯已更换。")
    services.act(case, Action.VERIFY_PASS, actor=grid_worker, note="现场已亮")
    services.act(case, Action.CALLBACK, actor=operator, rating=Rating.SATISFIED)
    services.act(case, Action.CLOSE, actor=operator)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.status_group == "closed"
    assert case.closed_at is not None
    assert list(case.events.values_list("action", flat=True)) == [
        "register",
        "dispatch",
        "acknowledge",
        "reply",
        "verify_pass",
        "callback",
        "close",
    ]


def test_it_refuses_to_close_a_new_case(new_case, operator):
    with pytest.raises(lifecycle.TransitionNotAllowed) as refused:
        lifecycle.apply(new_case, Action.CLOSE, actor=operator)
    assert new_case.number not in refused.value.message
    new_case.refresh_from_db()
    assert new_case.status == Status.REGISTERED


def test_an_outsider_cannot_dispatch_and_is_told_why(new_case, outsider, bureau):
    with pytest.raises(lifecycle.ActionRefused) as refused:
        lifecycle.apply(new_case, Action.DISPATCH, actor=outsider, main_department=bureau.pk)
    assert refused.value.message
    new_case.refresh_from_db()
    assert new_case.status == Status.REGISTERED
    assert new_case.events.count() == 1


def test_another_districts_handler_cannot_acknowledge(new_case, dispatcher, other_handler, bureau):
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    with pytest.raises(lifecycle.ActionRefused):
        lifecycle.apply(new_case, Action.ACKNOWLEDGE, actor=other_handler)
    new_case.refresh_from_db()
    assert new_case.status == Status.DISPATCHED


def test_a_grid_worker_may_verify_only_in_their_own_grids(
    operator, dispatcher, handler, grid_worker, district, category, bureau
):
    case = f.make_case(actor=operator, grid=district["grid21"], category=category)
    services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    services.act(case, Action.ACKNOWLEDGE, actor=handler)
    services.act(case, Action.REPLY, actor=handler, reply="已处理")
    with pytest.raises(lifecycle.ActionRefused):
        lifecycle.apply(case, Action.VERIFY_PASS, actor=grid_worker)


def test_a_stale_copy_loses_to_the_dispatcher_who_acted_first(
    new_case, dispatcher, second_dispatcher, bureau, other_bureau
):
    first = Case.objects.get(pk=new_case.pk)
    second = Case.objects.get(pk=new_case.pk)
    lifecycle.apply(first, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    with pytest.raises(lifecycle.ConcurrentUpdate):
        lifecycle.apply(
            second, Action.DISPATCH, actor=second_dispatcher, main_department=other_bureau.pk
        )
    new_case.refresh_from_db()
    assert new_case.main_department == bureau
    assert new_case.events.filter(action=Action.DISPATCH).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_racing_on_one_case_exactly_one_wins(
    new_case, dispatcher, second_dispatcher, bureau, other_bureau
):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def race(actor, department):
        try:
            case = Case.objects.get(pk=new_case.pk)
            barrier.wait()
            lifecycle.apply(case, Action.DISPATCH, actor=actor, main_department=department.pk)
            outcomes.append("won")
        except lifecycle.ConcurrentUpdate:
            outcomes.append("lost")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=race, args=(dispatcher, bureau)),
        threading.Thread(target=race, args=(second_dispatcher, other_bureau)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert CaseEvent.objects.filter(case=new_case, action=Action.DISPATCH).count() == 1


def test_returning_a_misrouted_case_needs_a_reason_and_waits_for_the_centres_review(
    new_case, dispatcher, handler, bureau
):
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(new_case, Action.RETURN, actor=handler, note="  ")
    lifecycle.apply(new_case, Action.RETURN, actor=handler, note="不属于本局职责，应由供电公司处理")
    new_case.refresh_from_db()
    assert new_case.status == Status.RETURN_REQUESTED
    assert new_case.main_department == bureau  # still the department's until reviewed
    lifecycle.apply(new_case, Action.ACCEPT_RETURN, actor=dispatcher)
    new_case.refresh_from_db()
    assert new_case.status == Status.REGISTERED
    assert new_case.main_department is None


def test_an_approved_extension_moves_the_handling_deadline(new_case, dispatcher, handler, bureau):
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    services.act(new_case, Action.ACKNOWLEDGE, actor=handler)
    new_case.refresh_from_db()
    before = new_case.handle_due_at
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(new_case, Action.REQUEST_EXTENSION, actor=handler, note="材料未齐", days=11)
    lifecycle.apply(
        new_case, Action.REQUEST_EXTENSION, actor=handler, note="需协调施工单位", days=3
    )
    lifecycle.apply(new_case, Action.APPROVE_EXTENSION, actor=dispatcher, note="同意")
    new_case.refresh_from_db()
    assert new_case.status == Status.HANDLING
    assert new_case.extension_days == 3
    assert new_case.handle_due_at > before + timedelta(days=2)
    assert new_case.due_at == new_case.handle_due_at


def test_an_unsatisfied_citizen_gets_the_case_reopened_not_closed(
    new_case, dispatcher, handler, grid_worker, operator, bureau
):
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    services.act(new_case, Action.ACKNOWLEDGE, actor=handler)
    services.act(new_case, Action.REPLY, actor=handler, reply="已处理")
    services.act(new_case, Action.VERIFY_PASS, actor=grid_worker)
    services.act(new_case, Action.CALLBACK, actor=operator, rating=Rating.UNSATISFIED)
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(new_case, Action.CLOSE, actor=operator)
    lifecycle.apply(new_case, Action.REOPEN, actor=operator, note="群众反映路灯仍不亮")
    new_case.refresh_from_db()
    assert new_case.status == Status.DISPATCHED
    assert new_case.reopen_count == 1
    assert new_case.rating == ""
    assert new_case.main_department == bureau


def test_a_failed_verification_sends_the_case_back_for_rework(
    new_case, dispatcher, handler, grid_worker, bureau
):
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    services.act(new_case, Action.ACKNOWLEDGE, actor=handler)
    services.act(new_case, Action.REPLY, actor=handler, reply="已处理")
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(new_case, Action.VERIFY_FAIL, actor=grid_worker)
    lifecycle.apply(new_case, Action.VERIFY_FAIL, actor=grid_worker, note="现场垃圾未清运")
    new_case.refresh_from_db()
    assert new_case.status == Status.HANDLING
    assert new_case.due_at > timezone.now()


def test_a_failed_verification_keeps_the_extension_granted_before(
    new_case, dispatcher, handler, grid_worker, bureau
):
    from civicgrid.cases import deadlines
    from civicgrid.routing.models import LimitUnit, Step

    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    services.act(new_case, Action.ACKNOWLEDGE, actor=handler)
    services.act(new_case, Action.REQUEST_EXTENSION, actor=handler, note="需协调", days=3)
    services.act(new_case, Action.APPROVE_EXTENSION, actor=dispatcher, note="同意")
    services.act(new_case, Action.REPLY, actor=handler, reply="已处理")
    lifecycle.apply(new_case, Action.VERIFY_FAIL, actor=grid_worker, note="现场垃圾未清运")
    new_case.refresh_from_db()
    _warn, rework = deadlines.step_window(
        new_case.category, new_case.urgency, Step.HANDLE, new_case.step_started_at
    )
    assert new_case.extension_days == 3
    assert new_case.handle_due_at == deadlines.add_limit(rework, 3, LimitUnit.WORKING_DAYS)
    assert new_case.due_at == new_case.handle_due_at


def test_a_merged_case_points_to_the_case_that_carries_on(operator, district, category):
    first = f.make_case(actor=operator, grid=district["grid11"], category=category)
    duplicate = f.make_case(actor=operator, grid=district["grid11"], category=category)
    lifecycle.apply(duplicate, Action.MERGE, actor=operator, into=first.number)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.status_group == "closed"
    assert duplicate.merged_into == first
    assert first.events.filter(action=Note.MERGED_FROM, data__case=duplicate.number).exists()
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(first, Action.MERGE, actor=operator, into=duplicate.number)


def test_escalation_moves_the_case_to_the_parent_centre(new_case, dispatcher, district):
    assert new_case.owner_region == district["district"]
    lifecycle.apply(new_case, Action.ESCALATE, actor=dispatcher, note="涉及多部门", to="joint")
    new_case.refresh_from_db()
    assert new_case.joint_consultation
    assert new_case.owner_region == district["district"]
    lifecycle.apply(new_case, Action.ESCALATE, actor=dispatcher, note="需市级协调", to="parent")
    new_case.refresh_from_db()
    assert new_case.owner_region == district["city"]


def test_a_point_outside_every_grid_is_kept_and_flagged_for_placement(
    operator, dispatcher, district
):
    case = f.make_case(actor=operator, lng=116.397, lat=39.909)  # Beijing
    assert case.needs_placement
    assert case.grid is None
    assert case.owner_region == district["district"]
    lng, lat = f.point_in(district["grid22"])
    lifecycle.apply(case, Action.PLACE, actor=dispatcher, lng=lng, lat=lat)
    case.refresh_from_db()
    assert not case.needs_placement
    assert case.grid == district["grid22"]


def test_bad_intake_is_refused_with_the_field_named_and_nothing_saved(operator, category):
    with pytest.raises(lifecycle.InvalidAction) as refused:
        services.register_case(
            services.Intake(channel="hotline", title="", content="x", category=category),
            actor=operator,
        )
    assert "title" in refused.value.errors
    assert not Case.objects.exists()


def test_case_numbers_are_dated_and_sequential(operator, district, category):
    first = f.make_case(actor=operator, grid=district["grid11"], category=category)
    second = f.make_case(actor=operator, grid=district["grid11"], category=category)
    today = timezone.localdate().strftime("%Y%m%d")
    assert first.number == f"{today}-00001"
    assert second.number == f"{today}-00002"


def test_the_contact_is_masked_and_revealing_it_is_audited(new_case, dispatcher):
    from civicgrid.core.models import PersonalDataRead

    assert new_case.masked_phone == "138****5678"
    assert "5678" in new_case.masked_phone
    contact = services.reveal_contact(new_case, actor=dispatcher, reason="回访")
    assert contact["phone"] == "13812345678"
    assert PersonalDataRead.objects.filter(user=dispatcher, subject=new_case.number).count() == 1


def test_the_callers_earlier_cases_are_found_by_phone(operator, outsider, district, category):
    from civicgrid.cases import queries

    first = f.make_case(actor=operator, grid=district["grid11"], category=category)
    f.make_case(
        actor=operator, grid=district["grid11"], category=category, reporter_phone="13900000000"
    )
    found = list(queries.earlier_cases(operator, "138-1234-5678"))
    assert found == [first]
    assert list(queries.earlier_cases(outsider, "138-1234-5678")) == []


def test_dispatch_starts_the_acknowledge_clock_and_the_light_turns_with_time(
    new_case, dispatcher, bureau
):
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    new_case.refresh_from_db()
    assert new_case.due_at is not None
    assert new_case.warn_at < new_case.due_at
    assert new_case.light(now=new_case.step_started_at) == Light.GREEN
    assert new_case.light(now=new_case.warn_at + timedelta(seconds=1)) == Light.YELLOW
    assert new_case.light(now=new_case.due_at + timedelta(seconds=1)) == Light.RED
    assert (
        Case.objects.with_light(Light.RED, now=new_case.due_at + timedelta(seconds=1)).count() == 1
    )


def test_a_case_cannot_be_merged_into_another_districts_case(
    operator, district, other_district, category
):
    mine = f.make_case(actor=operator, grid=district["grid11"], category=category)
    other_operator = f.make_user(Role.OPERATOR, regions=[other_district["district"]])
    theirs = f.make_case(actor=other_operator, grid=other_district["grid11"], category=category)
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(mine, Action.MERGE, actor=operator, into=theirs.number)
    assert not theirs.events.filter(action=Note.MERGED_FROM).exists()


def test_a_file_added_later_shows_in_the_timeline_and_outsiders_cannot_add(
    new_case, handler, outsider, dispatcher, bureau
):
    photo = f.make_image("现场.jpg")
    with pytest.raises(lifecycle.ActionRefused):
        services.add_file(new_case, photo, actor=outsider)
    services.add_file(new_case, photo, actor=dispatcher)
    event = new_case.events.get(action=Note.ADD_FILE)
    assert event.data["name"] == "现场.jpg"
    assert new_case.attachments.get().event == event


def test_registering_once_says_whether_the_key_had_made_the_case(operator, district):
    from civicgrid.cases.services import Intake, SubmissionKey, register_case_once

    key = SubmissionKey(f"user:{operator.pk}", "form-0001")
    report = Intake(channel="hotline", title="路灯不亮", content="南门路灯坏了")
    first = register_case_once(report, actor=operator, key=key)
    again = register_case_once(report, actor=operator, key=key)
    assert (first.replayed, again.replayed) == (False, True)
    assert again.case == first.case
    assert not hasattr(again.case, "replayed")
