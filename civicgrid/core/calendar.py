"""The working calendar from the database, and loading it from ``chinese-calendar``.

Each process keeps the calendar it built and rebuilds it when the table changed (a
cheap aggregate checked at most every few seconds), so an admin's edit in one process
reaches the others without a restart.
"""

import logging
from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.db.models import Count, Max

from .models import CalendarDay, CalendarYear, DayKind
from .snapshot import Snapshot
from .workcal import WorkCalendar

logger = logging.getLogger(__name__)


def _version() -> tuple:
    days = CalendarDay.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    years = CalendarYear.objects.aggregate(n=Count("id"), m=Max("loaded_at"))
    return (days["n"], days["m"], years["n"], years["m"])


def _build() -> WorkCalendar:
    rows = list(CalendarDay.objects.values_list("date", "kind"))
    return WorkCalendar(
        holidays=frozenset(d for d, k in rows if k == DayKind.HOLIDAY),
        workdays=frozenset(d for d, k in rows if k == DayKind.WORKDAY),
        known_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )


_calendar: Snapshot[WorkCalendar] = Snapshot(_version, _build)


def get_calendar(*, force: bool = False) -> WorkCalendar:
    """The current working calendar (cached per process, refreshed on change)."""
    return _calendar.get(force=force)


def forget_calendar() -> None:
    """Drop this process's copy (after a change made here)."""
    _calendar.forget()


def available_years() -> list[int]:
    """Years the installed ``chinese-calendar`` package has official data for."""
    import chinese_calendar

    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return sorted(years)


def load_official_year(year: int) -> int:
    """Copy one year's holidays and make-up workdays from ``chinese-calendar``.

    Returns the number of exception days written. Raises ``LookupError`` when the
    package has no schedule for ``year`` (it is published late each year).
    """
    import chinese_calendar

    if year not in available_years():
        raise LookupError(year)
    rows = []
    for source, kind in (
        (chinese_calendar.holidays, DayKind.HOLIDAY),
        (chinese_calendar.workdays, DayKind.WORKDAY),
    ):
        for day, name in source.items():
            if day.year != year:
                continue
            rows.append(CalendarDay(date=day, kind=kind, name=_label(name)))
    with transaction.atomic():
        CalendarDay.objects.filter(
            date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)
        ).delete()
        CalendarDay.objects.bulk_create(rows)
        CalendarYear.objects.update_or_create(year=year, defaults={"source": "chinese-calendar"})
    forget_calendar()
    return len(rows)


def _label(name) -> str:
    value = getattr(name, "value", name)
    return "" if value is None else str(value)[:50]


# --- after the calendar changes ----------------------------------------------------------

# Called with the years whose days changed; returns how many things it updated. Filled by
# ``civicgrid/wiring/extensions.py`` (open cases recompute their deadlines).
CalendarChanged = Callable[[list[int]], int]
_after_change: list[CalendarChanged] = []


def register_after_change(hook: CalendarChanged) -> None:
    if hook not in _after_change:
        _after_change.append(hook)


def calendar_changed(years: list[int]) -> int:
    """Run every hook for ``years``; the sum of what they updated."""
    return sum(hook(years) for hook in _after_change)
