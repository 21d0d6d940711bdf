"""Working time: which days are working days and how deadlines fall.

Pure code over plain data (holidays and make-up workdays as sets of dates), so it is
tested without a database; ``civicgrid.core.calendar`` feeds it from the database.
A working day is a weekday that is not a holiday, or a make-up workday (调休上班).
Working time is the office periods of working days; deadlines are counted in it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(9, 0), time(12, 0)),
    (time(13, 30), time(17, 30)),
)


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays, make-up workdays and office periods in one time zone."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    known_years: frozenset[int] = frozenset()
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    def covers(self, year: int) -> bool:
        """False when the official schedule of ``year`` is not loaded (weekends only)."""
        return year in self.known_years

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    @cached_property
    def minutes_per_day(self) -> int:
        return sum(_minutes(start, end) for start, end in self.periods)

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The moment ``minutes`` of working time after ``start``.

        Time before, between or after office periods does not count; a deadline that
        falls exactly at the end of a period stays there rather than jumping to the
        next morning.

        Counted on the wall clock of ``tz`` (naive times, as aware ones of one zone
        compare and add), a whole working day at a time where one fits: the rollup
        computes hundreds of thousands of these.
        """
        moment = start.astimezone(self.tz).replace(tzinfo=None)
        remaining = timedelta(minutes=minutes)
        day = moment.date()
        if not self.is_working_day(day):
            day, moment = self._next_start(day)
        whole_day = timedelta(minutes=self.minutes_per_day)
        first = self.periods[0][0]
        while True:
            if whole_day and remaining > whole_day and moment <= datetime.combine(day, first):
                # The whole day's periods are used up and more is left: the next day.
                remaining -= whole_day
                day, moment = self._next_start(day)
                continue
            for begin, end in self.periods:
                period_end = datetime.combine(day, end)
                if moment >= period_end:
                    continue
                moment = max(moment, datetime.combine(day, begin))
                available = period_end - moment
                if remaining <= available:
                    return (moment + remaining).replace(tzinfo=self.tz)
                remaining -= available
                moment = period_end
            day, moment = self._next_start(day)

    def add_working_days(self, start: datetime, days: float) -> datetime:
        return self.add_working_minutes(start, days * self.minutes_per_day)

    def working_minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes from ``start`` to ``end`` (negative when end is earlier)."""
        if end < start:
            return -self.working_minutes_between(end, start)
        start, end = start.astimezone(self.tz), end.astimezone(self.tz)
        total = 0.0
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                for begin, stop in self.periods:
                    lo = max(start, datetime.combine(day, begin, self.tz))
                    hi = min(end, datetime.combine(day, stop, self.tz))
                    if hi > lo:
                        total += (hi - lo).total_seconds() / 60
            day += timedelta(days=1)
        return total

    def _next_start(self, day: date) -> tuple[date, datetime]:
        """The next working day and its first office moment (naive, on ``tz``'s clock)."""
        day = self.next_working_day(day)
        return day, datetime.combine(day, self.periods[0][0])


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
