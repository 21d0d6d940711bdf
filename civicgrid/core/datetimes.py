"""One rule for every date-time that comes in from outside: the API, Open311, alerts, 110.

Why a rule: PostgreSQL's ``timestamptz`` refuses UTC offsets of 16 hours or more (which
ISO 8601 parsers accept up to 23:59), Python overflows converting year 1 or 9999 to
UTC, and a time in the year 3000 is a typo or an attack, not a fact. Checked at the
door, a bad time is a 400 naming the field, never a 500 on one database only, nor a
stored row that can never be processed.

Two kinds of time:

- ``DATA``: a time stored as a fact (a call's ``received_at``, an alert's
  ``observed_at``, an update's time): from 2000 on, and at most a day ahead of our
  clock.
- ``FILTER``: a bound of a query (``created_after``, ``since``, ``start_date``):
  any year from 1900 to 2999, far from where dates overflow.

Both: an offset under 16 hours; a time without one is in the site's time zone; the
result is in UTC. ``check`` is for plain Django code (Open311); ``DataTime`` and
``FilterTime`` are the same rule as field types for django-ninja/pydantic schemas.
"""

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

MAX_OFFSET = timedelta(hours=16)  # exclusive: PostgreSQL stores up to ±15:59
EARLIEST_DATA = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_DATA = timedelta(days=1)
FILTER_YEARS = (1900, 2999)


class Kind(Enum):
    DATA = "data"
    FILTER = "filter"


class TimeRefused(ValueError):
    """A time the rule refuses: ``code`` for machines, ``message`` translated."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, str(message)


def check(value: datetime, kind: Kind, *, now: datetime | None = None) -> datetime:
    """``value`` in UTC if the rule for ``kind`` allows it; raises ``TimeRefused``."""
    if timezone.is_naive(value):
        try:
            value = timezone.make_aware(value)
        except (OverflowError, ValueError):
            raise _out_of_range(kind) from None
    offset = value.utcoffset()
    if offset is not None and abs(offset) >= MAX_OFFSET:
        raise TimeRefused(
            "time_zone_offset",
            _("The time zone offset must be less than 16 hours, e.g. +08:00 or Z."),
        )
    try:
        value = value.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 east of UTC, 9999 west of it
        raise _out_of_range(kind) from None
    if kind is Kind.FILTER:
        if not FILTER_YEARS[0] <= value.year <= FILTER_YEARS[1]:
            raise _out_of_range(kind)
        return value
    if value < EARLIEST_DATA:
        raise _out_of_range(kind)
    if value > (now or timezone.now()) + FUTURE_DATA:
        raise TimeRefused(
            "datetime_in_future",
            _("This time is more than a day in the future: check the device clock."),
        )
    return value


def _out_of_range(kind: Kind) -> TimeRefused:
    if kind is Kind.FILTER:
        low, high = FILTER_YEARS
        return TimeRefused(
            "year_out_of_range",
            _("The year must be between %(ge)s and %(le)s.") % {"ge": low, "le": high},
        )
    return TimeRefused(
        "datetime_too_early",
        _("The time must be in %(year)s or later.") % {"year": EARLIEST_DATA.year},
    )


def _validator(kind: Kind):
    def validate(value: datetime) -> datetime:
        try:
            return check(value, kind)
        except TimeRefused as refused:
            # The message is already in the caller's language; pydantic would read
            # braces in it as fields of its own to fill in.
            message = refused.message.replace("{", "(").replace("}", ")")
            raise PydanticCustomError(refused.code, message) from None

    return AfterValidator(validate)


DataTime = Annotated[datetime, _validator(Kind.DATA)]
FilterTime = Annotated[datetime, _validator(Kind.FILTER)]
