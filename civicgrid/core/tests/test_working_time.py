"""Working-time deadlines across the 2026 National Day holiday and its make-up workday."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from civicgrid.core.calendar import get_calendar, load_official_year
from civicgrid.core.models import CalendarDay, DayKind
from civicgrid.core.workcal import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def calendar_2026(db) -> WorkCalendar:
    load_official_year(2026)
    return get_calendar(force=True)


def test_the_national_day_week_is_off_and_saturday_10_october_is_a_workday(calendar_2026):
    assert not calendar_2026.is_working_day(date(2026, 10, 1))
    assert not calendar_2026.is_working_day(date(2026, 10, 7))
    assert calendar_2026.is_working_day(date(2026, 10, 10))  # 调休: a Saturday at work
    assert not calendar_2026.is_working_day(date(2026, 10, 11))  # an ordinary Sunday


def test_three_working_days_from_the_last_day_before_the_holiday_end_on_the_make_up_saturday(
    calendar_2026,
):
    # Wednesday 30 September, 10:00: 1 Oct–7 Oct are off; 8, 9 and the make-up
    # Saturday 10 October count.
    due = calendar_2026.add_working_days(at(2026, 9, 30, 10, 0), 3)
    assert due == at(2026, 10, 10, 10, 0)


def test_a_case_dispatched_during_the_holiday_starts_its_clock_on_the_first_workday(calendar_2026):
    due = calendar_2026.add_working_days(at(2026, 10, 3, 15, 0), 1)
    assert due == at(2026, 10, 8, 17, 30)


def test_working_hours_skip_the_lunch_break_and_the_night(calendar_2026):
    assert calendar_2026.add_working_minutes(at(2026, 11, 20, 11, 0), 120) == at(
        2026, 11, 20, 14, 30
    )
    # Friday 17:00 + 2 working hours → Monday 10:30.
    assert calendar_2026.add_working_minutes(at(2026, 11, 20, 17, 0), 120) == at(
        2026, 11, 23, 10, 30
    )


def test_a_deadline_ending_with_the_working_day_stays_on_that_evening(calendar_2026):
    assert calendar_2026.add_working_days(at(2026, 11, 23, 9, 0), 1) == at(2026, 11, 23, 17, 30)


def test_working_minutes_between_two_moments_ignore_the_holiday(calendar_2026):
    minutes = calendar_2026.working_minutes_between(at(2026, 9, 30, 17, 30), at(2026, 10, 8, 9, 0))
    assert minutes == 0
    assert (
        calendar_2026.working_minutes_between(at(2026, 10, 8, 9, 0), at(2026, 10, 8, 12, 0)) == 180
    )


def test_a_year_without_an_official_schedule_falls_back_to_weekends_and_says_so(calendar_2026):
    assert calendar_2026.covers(2026)
    assert not calendar_2026.covers(2027)
    # 1 January 2027 is a Friday; without the 2027 schedule it counts as a workday.
    assert calendar_2026.is_working_day(date(2027, 1, 1))


def test_an_admin_edit_to_the_calendar_reaches_the_deadlines(calendar_2026):
    CalendarDay.objects.create(date=date(2026, 11, 23), kind=DayKind.HOLIDAY, name="test")
    calendar = get_calendar(force=True)
    assert calendar.add_working_days(at(2026, 11, 20, 17, 30), 1) == at(2026, 11, 24, 17, 30)


def test_loading_a_year_the_package_does_not_know_is_refused(db):
    with pytest.raises(LookupError):
        load_official_year(2031)
