"""Reading Open311 parameters: dates, lists, paging. Bad input raises ``Open311Error``."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases.models import StatusGroup
from civicgrid.core.datetimes import Kind, TimeRefused, check

MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
# A page without page_size: each row is masked text (docs/publication.md), about a
# millisecond apiece, so a default of the spec's 1000 cost a second per anonymous call.
DEFAULT_PAGE_SIZE = 50
# page × page_size reaches back this far at most; further, end_date walks back by date
# (keyset: the oldest requested_datetime of the last page), as fast as the first page.
MAX_OFFSET = 10_000
MAX_IDS = 1000
MAX_PARAM = 2000


class Open311Error(Exception):
    """A refused request: its HTTP status and the spec's list of error descriptions."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(str(descriptions[0]) if descriptions else "")
        self.status = status
        self.descriptions = [str(d) for d in descriptions]


def invalid(param: str, problem: str) -> Open311Error:
    return Open311Error(400, _("%(param)s: %(problem)s") % {"param": param, "problem": problem})


def text(data, name: str, max_length: int = MAX_PARAM) -> str:
    """A text parameter, stripped; refuses NUL characters and overlong values."""
    value = data.get(name, "")
    if "\x00" in value:
        raise invalid(name, _("NUL characters are not allowed."))
    if len(value) > max_length:
        raise invalid(name, _("At most %(n)d characters.") % {"n": max_length})
    return value.strip()


def check_jurisdiction(data) -> None:
    """One jurisdiction is served; naming another is a 404, as the spec says."""
    given = text(data, "jurisdiction_id", 200)
    if given and given != settings.CIVICGRID_OPEN311_JURISDICTION:
        raise Open311Error(
            404,
            _("jurisdiction_id %(given)s was not found; this server serves %(ours)s.")
            % {"given": given, "ours": settings.CIVICGRID_OPEN311_JURISDICTION},
        )


def moment(data, name: str, kind: Kind = Kind.FILTER) -> datetime | None:
    """An ISO 8601 date-time with its time zone (``Z`` or ``+08:00``), or None if absent.

    In UTC, and within the project's rule for a query bound or, with ``Kind.DATA``, a
    stored time (``core.datetimes``).
    """
    value = text(data, name, 64)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        parsed = None
    if parsed is None or "T" not in value.upper():
        raise invalid(
            name,
            _("Give a date and time in ISO 8601 with its offset, e.g. 2026-11-22T09:30:00+08:00."),
        )
    if timezone.is_naive(parsed):
        raise invalid(name, _("Say the time zone: end with Z or an offset such as +08:00."))
    try:
        return check(parsed, kind)
    except TimeRefused as refused:
        raise invalid(name, refused.message) from None


def comma_list(data, name: str, limit: int = MAX_IDS) -> list[str]:
    items = [item.strip() for item in text(data, name, 40 * limit).split(",") if item.strip()]
    if len(items) > limit:
        raise invalid(name, _("At most %(n)d values.") % {"n": limit})
    return items


def statuses(data) -> set[str]:
    """``status=open``, ``closed`` or both, comma separated."""
    given = {s.lower() for s in comma_list(data, "status", 10)}
    unknown = given - set(StatusGroup.values)
    if unknown:
        raise invalid("status", _("Use open, closed or both (comma separated)."))
    return given


def flag(data, name: str) -> bool:
    value = text(data, name, 10).lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise invalid(name, _("Use true or false."))


def _positive(data, name: str, default: int, maximum: int) -> int:
    value = text(data, name, 12)
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise invalid(name, _("Give a whole number from 1 to %(max)d.") % {"max": maximum})
    return int(value)


@dataclass
class Window:
    """The time range and page a list covers."""

    start: datetime | None
    end: datetime | None
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def window(data, *, now=None) -> Window:
    """start_date/end_date (at most 90 days apart; the last 90 days by default) and paging
    (``page_size`` rows, ``DEFAULT_PAGE_SIZE`` unless given, no further back than
    ``MAX_OFFSET``)."""
    now = now or timezone.now()
    start, end = moment(data, "start_date"), moment(data, "end_date")
    if start and end and end < start:
        raise invalid("end_date", _("The end date is before the start date."))
    if start and end and end - start > MAX_SPAN:
        raise invalid("end_date", _("start_date and end_date may be at most 90 days apart."))
    if start is None and end is None:
        end = now
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    page = _positive(data, "page", 1, 1_000_000)
    page_size = _positive(data, "page_size", DEFAULT_PAGE_SIZE, MAX_RESULTS)
    if (page - 1) * page_size >= MAX_OFFSET:
        raise invalid(
            "page",
            _(
                "Pages reach back %(n)d results at most; for older ones give end_date "
                "(the oldest requested_datetime you have)."
            )
            % {"n": MAX_OFFSET},
        )
    return Window(start, end, page, page_size)
