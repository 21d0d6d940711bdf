"""Months as the first day of each."""

from datetime import date


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def parse_month(text: str) -> date:
    """``2026-12`` → 2026-12-01; raises ValueError."""
    year, _sep, number = text.strip().partition("-")
    return date(int(year), int(number), 1)


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month
