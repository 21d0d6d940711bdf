"""The periods a figure is counted over: today, this week, this month, or from–to.

A period is a run of local calendar days; ``start`` is inclusive and ``end`` exclusive,
so the case list link (``created_after`` / ``created_before``) selects the same cases.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KINDS = {
    "today": _("Today"),
    "week": _("This week"),
    "month": _("This month"),
    "custom": _("From – to"),
}
# A custom period longer than this is refused: the reports read it day by day.
MAX_DAYS = 366


class BadPeriod(ValueError):
    """A period the user asked for that cannot be counted; ``message`` is translated."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes in the current time zone."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end, time.min, tzinfo=tz),
        )

    def label(self) -> str:
        if self.days == 1:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.last_day.isoformat()}"

    def query(self) -> dict[str, str]:
        """The GET parameters that name this period."""
        if self.kind == "custom":
            return {
                "period": "custom",
                "start": self.start.isoformat(),
                "end": self.last_day.isoformat(),
            }
        return {"period": self.kind}

    def previous(self) -> "Period":
        """The period of equal length just before (for 'compared with')."""
        return Period("custom", self.start - timedelta(days=self.days), self.start)


def today() -> date:
    return timezone.localdate()


def of(
    kind: str, *, start: date | None = None, end: date | None = None, on: date | None = None
) -> Period:
    """The period of ``kind`` containing ``on`` (today by default); ``custom`` takes
    ``start`` and ``end``, both inclusive days."""
    on = on or today()
    if kind == "today" or not kind:
        return Period("today", on, on + timedelta(days=1))
    if kind == "week":
        monday = on - timedelta(days=on.weekday())
        return Period("week", monday, monday + timedelta(days=7))
    if kind == "month":
        first = on.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period("month", first, following)
    if kind == "custom":
        if start is None or end is None:
            raise BadPeriod(_("Give both the first and the last day."))
        if end < start:
            raise BadPeriod(_("The last day is before the first day."))
        if (end - start).days + 1 > MAX_DAYS:
            raise BadPeriod(_("A period may be at most 366 days long."))
        return Period("custom", start, end + timedelta(days=1))
    raise BadPeriod(_("Unknown period."))


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadPeriod(_("Enter days as YYYY-MM-DD.")) from None


def from_query(params) -> Period:
    """The period named by GET parameters ``period``, ``start``, ``end``, ``on``."""
    kind = params.get("period") or "today"
    return of(
        kind,
        start=_date(params.get("start")),
        end=_date(params.get("end")),
        on=_date(params.get("on")),
    )
