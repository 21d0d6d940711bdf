"""Deadlines follow the time-limit policies and move when the calendar changes."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from civicgrid.cases import services
from civicgrid.cases.deadlines import limit_for
from civicgrid.cases.events import Note
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.core.calendar import forget_calendar
from civicgrid.core.models import CalendarDay, CalendarYear, DayKind
from civicgrid.routing.models import LimitUnit, Step, TimeLimitPolicy, Urgency

TZ = ZoneInfo("Asia/Shanghai")


def test_the_most_specific_policy_wins(category):
    child = category.children.create(code="0101", name="占道经营")
    TimeLimitPolicy.objects.create(
        category=None,
        urgency=Urgency.NORMAL,
        step=Step.HANDLE,
        amount=7,
        unit=LimitUnit.WORKING_DAYS,
    )
    TimeLimitPolicy.objects.create(
        category=category,
        urgency=Urgency.NORMAL,
        step=Step.HANDLE,
        amount=3,
        unit=LimitUnit.WORKING_DAYS,
    )
    assert limit_for(child, Urgency.NORMAL, Step.HANDLE).amount == 3
    assert limit_for(None, Urgency.NORMAL, Step.HANDLE).amount == 7
    assert limit_for(child, Urgency.URGENT, Step.HANDLE).unit == LimitUnit.HOURS  # built-in


def test_loading_a_new_years_holidays_recomputes_open_deadlines(
    new_case, dispatcher, bureau, django_capture_on_commit_callbacks
):
    # Dispatched on Wednesday 30 December 2026: five working days run into 2027,
    # whose official schedule is not published yet, so only weekends count.
    start = datetime(2026, 12, 30, 10, 0, tzinfo=TZ)
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    Case.objects.filter(pk=new_case.pk).update(step_started_at=start)
    new_case.refresh_from_db()
    services.recompute_deadlines([2026, 2027])
    new_case.refresh_from_db()
    before = new_case.handle_due_at
    assert before.astimezone(TZ).date() == date(2027, 1, 6)
    # The 2027 schedule arrives: New Year's Day is off.
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    CalendarYear.objects.create(year=2027, source="admin")
    forget_calendar()
    assert services.recompute_deadlines([2027]) == 1
    new_case.refresh_from_db()
    assert new_case.handle_due_at - before == timedelta(days=1)
    assert CaseEvent.objects.filter(case=new_case, action=Note.RECOMPUTE_DEADLINE).exists()
    assert services.recompute_deadlines([2027]) == 0


def _rated(case, dispatcher, handler, grid_worker, operator, bureau, rating):
    from civicgrid.cases.models import Status

    services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    services.act(case, Action.ACKNOWLEDGE, actor=handler)
    services.act(case, Action.REPLY, actor=handler, reply="已处理")
    services.act(case, Action.VERIFY_PASS, actor=grid_worker)
    services.act(case, Action.CALLBACK, actor=operator, rating=rating)
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.RATED
    return case


def test_an_unsatisfied_rating_gives_the_case_a_deadline_to_redo_or_review(
    client, new_case, dispatcher, handler, grid_worker, operator, bureau, category
):
    from django.urls import reverse

    from civicgrid.cases.models import Light, Rating

    TimeLimitPolicy.objects.create(
        category=category,
        urgency=Urgency.NORMAL,
        step=Step.REVIEW,
        amount=2,
        unit=LimitUnit.HOURS,
    )
    case = _rated(new_case, dispatcher, handler, grid_worker, operator, bureau, Rating.UNSATISFIED)
    assert case.due_at - case.step_started_at == timedelta(hours=2)
    assert case.light() == Light.GREEN
    assert case.light(now=case.due_at + timedelta(minutes=1)) == Light.RED
    client.force_login(dispatcher)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "light light-green" in html
    assert f'datetime="{case.due_at.astimezone(TZ).isoformat()}"' in html

    # Past the deadline the overdue sweep marks it, like every other step.
    assert services.mark_overdue(now=case.due_at + timedelta(minutes=1)) == 1
    assert CaseEvent.objects.filter(case=case, action=Action.MARK_OVERDUE).exists()


def test_a_satisfied_rating_leaves_no_deadline(
    new_case, dispatcher, handler, grid_worker, operator, bureau
):
    from civicgrid.cases.models import Light, Rating

    case = _rated(new_case, dispatcher, handler, grid_worker, operator, bureau, Rating.SATISFIED)
    assert case.due_at is None
    assert case.light() == Light.NONE
