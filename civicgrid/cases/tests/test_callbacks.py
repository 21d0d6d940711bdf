"""Calling the citizen back as hotlines do (#10): a call that reaches nobody is tried
again later, in working time; after the last try, or a refusal, the round ends without
a rating, which counts neither as satisfied nor as unsatisfied."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from civicgrid.cases import callbacks, lifecycle, queries, services
from civicgrid.cases.apps import check_callback_retries
from civicgrid.cases.events import Note
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import CallbackResult, Case, Rating, Status
from civicgrid.cases.tests import factories as f
from civicgrid.core.models import PersonalDataRead

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)


def fresh(case):
    return Case.objects.get(pk=case.pk)


def verified_case(operator, dispatcher, handler, grid_worker, bureau, district, category, **kw):
    case = f.make_case(actor=operator, grid=district["grid11"], category=category, **kw)
    services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    services.act(case, Action.ACKNOWLEDGE, actor=handler)
    services.act(case, Action.REPLY, actor=handler, reply="路灯已修复，现已恢复照明。")
    services.act(case, Action.VERIFY_PASS, actor=grid_worker)
    return fresh(case)


@pytest.fixture
def verified(operator, dispatcher, handler, grid_worker, bureau, district, category):
    return verified_case(operator, dispatcher, handler, grid_worker, bureau, district, category)


def post_call(client, case, result, attempt=None, note=""):
    data = {"callback-rating": result, "callback-note": note}
    if attempt is not None:
        data["callback-attempt"] = attempt
    url = reverse("cases:act", args=[case.number, Action.CALLBACK])
    return client.post(url, {**data, "next": reverse("cases:callbacks")})


def card(case) -> str:
    return f'data-case="{case.number}"'


def queue(client, later=False) -> str:
    url = reverse("cases:callbacks") + ("?later=1" if later else "")
    return client.get(url).content.decode()


# --- the outcomes ---------------------------------------------------------------------


def test_no_answer_is_recorded_and_the_next_try_waits_four_working_hours(
    client, operator, verified
):
    client.force_login(operator)
    assert verified.number in queue(client)

    response = post_call(client, verified, "no_answer", attempt=1, note="响铃一分钟无人接")

    assert response.status_code == 302
    said = client.get(response["Location"]).content.decode()
    assert f"Case {verified.number}: no answer; try 2 from" in said
    case = fresh(verified)
    assert case.status == Status.VERIFIED  # still to call back
    assert case.callback_tries == 1
    event = case.events.get(action=Note.CALLBACK_MISSED)
    assert event.actor == operator
    assert event.public is False  # the centre's business, not the public's
    assert event.note == "响铃一分钟无人接"
    assert event.data["outcome"] == "no_answer"
    assert event.data["attempt"] == 1
    assert case.callback_next_at == callbacks.next_try_at(1, event.at)
    # The try's clock restarts when it is due: the light does not go red meanwhile.
    assert case.step_started_at == case.callback_next_at
    assert case.due_at > case.callback_next_at
    # Gone from the calls due now, waiting among the later tries.
    assert card(verified) not in queue(client)
    later = queue(client, later=True)
    assert card(verified) in later
    assert "Callback try 2 of 3" in later
    assert case.callback_next_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") in later
    assert "no answer" in later
    assert "响铃一分钟无人接" in later


def test_the_schedule_counts_working_time_three_tries_over_two_working_days():
    first = callbacks.next_try_at(1, MONDAY_10)
    second = callbacks.next_try_at(2, first)
    # 10:00–12:00 and 13:30–15:30 are four working hours; then the next working day.
    assert first == datetime(2026, 12, 7, 15, 30, tzinfo=SHANGHAI)
    assert second == datetime(2026, 12, 8, 15, 30, tzinfo=SHANGHAI)
    assert callbacks.next_try_at(3, second) is None
    assert callbacks.max_tries() == 3
    # A call failing on Friday afternoon is tried again on Monday.
    friday = datetime(2026, 12, 11, 16, 0, tzinfo=SHANGHAI)
    assert callbacks.next_try_at(1, friday) == datetime(2026, 12, 14, 11, 30, tzinfo=SHANGHAI)


def test_the_schedule_is_a_setting(settings):
    settings.CIVICGRID_CALLBACK_RETRY_AFTER = ["30 minutes"]
    assert callbacks.max_tries() == 2
    assert callbacks.next_try_at(1, MONDAY_10) == MONDAY_10 + timedelta(minutes=30)
    settings.CIVICGRID_CALLBACK_RETRY_AFTER = ["soon"]
    with pytest.raises(ImproperlyConfigured, match="CIVICGRID_CALLBACK_RETRY_AFTER"):
        callbacks.max_tries()
    # ``civicgrid check`` says so before anyone opens the callback page.
    (error,) = check_callback_retries()
    assert error.id == "civicgrid.cases.E001"
    assert "'soon'" in error.msg


def test_an_unreachable_number_is_tried_again_too(client, operator, verified):
    client.force_login(operator)
    post_call(client, verified, "unreachable", attempt=1)
    case = fresh(verified)
    assert case.status == Status.VERIFIED
    assert case.callback_tries == 1
    assert case.events.get(action=Note.CALLBACK_MISSED).data["outcome"] == "unreachable"


def test_a_refusal_ends_the_round_without_a_rating_and_closes_the_case(client, operator, verified):
    client.force_login(operator)
    post_call(client, verified, "refused", attempt=1, note="称不愿评价")
    case = fresh(verified)
    assert case.status == Status.CLOSED
    assert case.rating == ""  # neither satisfied nor unsatisfied
    assert case.callback_result == CallbackResult.REFUSED
    callback = case.events.get(action=Action.CALLBACK)
    assert callback.data["outcome"] == "refused"
    assert case.events.filter(action=Action.CLOSE).count() == 1
    assert card(verified) not in queue(client, later=True)


def test_after_the_last_failed_try_the_case_is_closed_as_not_reached(client, operator, verified):
    client.force_login(operator)
    for attempt in (1, 2):
        post_call(client, verified, "no_answer", attempt=attempt)
        Case.objects.filter(pk=verified.pk).update(callback_next_at=timezone.now())  # time moves
    assert fresh(verified).callback_tries == 2
    assert "Callback try 3 of 3" in queue(client)

    post_call(client, verified, "no_answer", attempt=3)

    case = fresh(verified)
    assert case.status == Status.CLOSED
    assert case.rating == ""
    assert case.callback_result == CallbackResult.NOT_REACHED
    assert case.callback_tries == 3
    assert case.events.filter(action=Note.CALLBACK_MISSED).count() == 2
    assert case.events.get(action=Action.CALLBACK).data["result"] == "not_reached"


def test_the_centre_may_keep_unrated_cases_open_to_decide(settings, operator, verified):
    settings.CIVICGRID_CALLBACK_CLOSE_UNRATED = False
    settings.CIVICGRID_CALLBACK_RETRY_AFTER = []  # one try only
    callbacks.call_back(verified, actor=operator, outcome="no_answer")
    case = fresh(verified)
    assert case.status == Status.RATED
    assert case.callback_result == CallbackResult.NOT_REACHED
    lifecycle.apply(case, Action.CLOSE, actor=operator)  # closing is not refused
    assert case.status == Status.CLOSED


def test_a_rating_after_a_missed_try_is_an_ordinary_callback(client, operator, verified):
    client.force_login(operator)
    post_call(client, verified, "no_answer", attempt=1)
    Case.objects.filter(pk=verified.pk).update(callback_next_at=timezone.now())
    post_call(client, verified, "basically", attempt=2)
    case = fresh(verified)
    assert case.status == Status.RATED
    assert case.rating == Rating.BASICALLY
    assert case.callback_result == CallbackResult.REACHED
    assert case.callback_next_at is None
    assert case.events.get(action=Action.CALLBACK).data == {"rating": "basically", "attempt": 2}


def test_the_lifecycle_refuses_ending_the_round_before_the_last_try(operator, verified):
    with pytest.raises(lifecycle.InvalidAction, match="schedule the next try"):
        lifecycle.apply(verified, Action.CALLBACK, actor=operator, outcome="no_answer")
    assert fresh(verified).status == Status.VERIFIED


def test_nonsense_is_refused_with_nothing_changed(client, operator, verified):
    client.force_login(operator)
    response = post_call(client, verified, "maybe", attempt=1)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    case = fresh(verified)
    assert (case.status, case.callback_tries, case.version) == (
        Status.VERIFIED,
        0,
        verified.version,
    )
    with pytest.raises(lifecycle.InvalidAction):
        callbacks.call_back(case, actor=operator, outcome="busy")


def test_a_new_round_after_reopening_starts_from_the_first_try(
    operator, dispatcher, handler, grid_worker, bureau, verified
):
    callbacks.call_back(verified, actor=operator, outcome="no_answer")
    case = fresh(verified)
    Case.objects.filter(pk=case.pk).update(callback_next_at=timezone.now())
    case = fresh(case)
    callbacks.call_back(case, actor=operator, rating="unsatisfied")
    services.act(case, Action.REOPEN, actor=dispatcher, note="群众不满意，重办")
    services.act(case, Action.ACKNOWLEDGE, actor=handler)
    services.act(case, Action.REPLY, actor=handler, reply="已再次维修。")
    services.act(case, Action.VERIFY_PASS, actor=grid_worker)
    case = fresh(case)
    assert (case.callback_tries, case.callback_next_at, case.callback_result) == (0, None, "")


def test_the_citizen_can_still_rate_while_a_try_is_pending(operator, verified):
    callbacks.call_back(verified, actor=operator, outcome="no_answer")
    case = fresh(verified)
    lifecycle.apply(case, Action.CALLBACK, actor=None, rating="satisfied", by="citizen")
    case = fresh(case)
    assert case.status == Status.RATED
    assert case.callback_result == CallbackResult.REACHED
    assert case.callback_next_at is None


# --- the queue --------------------------------------------------------------------------


def test_the_queue_orders_by_due_time_and_hides_tries_not_yet_due(
    operator, dispatcher, handler, grid_worker, bureau, district, category
):
    people = (operator, dispatcher, handler, grid_worker, bureau, district, category)
    first, second, third = (verified_case(*people) for _ in range(3))
    now = timezone.now()
    Case.objects.filter(pk=first.pk).update(due_at=now + timedelta(hours=5))
    Case.objects.filter(pk=second.pk).update(due_at=now + timedelta(hours=1))
    Case.objects.filter(pk=third.pk).update(due_at=now + timedelta(hours=3))
    assert [c.pk for c in queries.callbacks(operator)] == [second.pk, third.pk, first.pk]

    callbacks.call_back(fresh(second), actor=operator, outcome="no_answer")
    next_at = fresh(second).callback_next_at
    due_now = [c.pk for c in queries.callbacks(operator)]
    assert due_now == [third.pk, first.pk]
    # The toggle lists it after those due; when its time comes it is back, due.
    assert [c.pk for c in queries.callbacks(operator, later=True)][-1] == second.pk
    assert queries.callbacks_later(operator) == 1
    back = [c.pk for c in queries.callbacks(operator, now=next_at + timedelta(minutes=1))]
    assert second.pk in back


def test_the_empty_queue_says_how_many_wait_for_later(client, operator, verified):
    callbacks.call_back(verified, actor=operator, outcome="no_answer")
    client.force_login(operator)
    html = queue(client)
    assert card(verified) not in html
    assert "No callbacks due now; 1 case waits for a later try." in html


def test_the_card_has_the_complaint_the_reply_and_the_phone_to_reveal(
    client, operator, dispatcher, handler, grid_worker, bureau, district, category
):
    case = verified_case(
        operator,
        dispatcher,
        handler,
        grid_worker,
        bureau,
        district,
        category,
        title="小区路灯不亮",
        content="北门外三盏路灯连续三晚不亮。",
        reporter_name="刘建国",
        reporter_phone="13905461234",
    )
    client.force_login(operator)
    html = queue(client)
    assert "小区路灯不亮" in html
    assert "北门外三盏路灯连续三晚不亮。" in html
    assert "路灯已修复，现已恢复照明。" in html  # the department's reply
    assert "139****1234" in html
    assert "13905461234" not in html
    revealed = client.post(
        reverse("cases:contact", args=[case.number]), {"reason": "callback"}
    ).content.decode()
    assert "13905461234" in revealed
    assert PersonalDataRead.objects.filter(user=operator, subject=case.number).exists()


# --- two operators ------------------------------------------------------------------------


def test_two_operators_recording_the_same_try_one_records(client, operator, district, verified):
    other = f.make_user("operator", regions=[district["district"]], username="operator2")
    client.force_login(operator)
    assert post_call(client, verified, "no_answer", attempt=1).status_code == 302
    client.force_login(other)
    # The second saw try 1 on their screen too; it was recorded meanwhile.
    response = post_call(client, verified, "no_answer", attempt=1)
    assert response.status_code == 409
    assert "already recorded by someone else" in response.content.decode()
    case = fresh(verified)
    assert case.callback_tries == 1
    assert case.events.filter(action=Note.CALLBACK_MISSED).count() == 1


def test_a_stale_read_loses_the_race(operator, verified):
    stale = fresh(verified)
    callbacks.call_back(verified, actor=operator, outcome="no_answer")
    with pytest.raises(lifecycle.ConcurrentUpdate):
        callbacks.call_back(stale, actor=operator, outcome="unreachable")
    assert fresh(verified).callback_tries == 1


def test_only_operators_record_calls(grid_worker, verified):
    with pytest.raises(lifecycle.ActionRefused):
        callbacks.call_back(verified, actor=grid_worker, outcome="no_answer")
    assert fresh(verified).callback_tries == 0


# --- the API ------------------------------------------------------------------------------


def test_the_api_records_a_missed_call(operator, verified):
    from django.test import Client

    from civicgrid.accounts.models import ApiToken

    _token, raw = ApiToken.issue(operator, "tests")
    response = Client().post(
        f"/api/cases/{verified.number}/actions/callback",
        {"outcome": "no_answer", "attempt": 1, "note": "无人接听"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200, response.content
    body = response.json()["case"]
    assert body["status"] == "verified"
    assert body["callback_tries"] == 1
    assert body["callback_next_at"]


def test_the_case_page_says_how_the_callback_went(client, operator, verified):
    callbacks.call_back(verified, actor=operator, outcome="no_answer")
    client.force_login(operator)
    html = client.get(reverse("cases:detail", args=[verified.number])).content.decode()
    assert "1 try reached nobody; next from" in html
    assert "Callback: citizen not reached" in html  # the timeline
    callbacks.call_back(fresh(verified), actor=operator, outcome="refused")
    html = client.get(reverse("cases:detail", args=[verified.number])).content.decode()
    assert "refused to rate" in html
