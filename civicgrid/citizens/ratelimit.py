"""Rate limits of the public pages, counted in the database so every process agrees.

A counter per key and fixed window (an hour by default) is bumped with one
``UPDATE … SET count = count + 1`` (``RETURNING`` the new count where the database can);
the first request of a window inserts the row, and of two inserting at once the loser
retries the update. No count lives in a process. Keys are keyed hashes
(``salted_hmac``), so the table holds no address or phone number.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from civicgrid.core.client_address import client_ip as client_ip  # moved to core, shared

from .models import RateCount

# Rows of windows older than this are deleted when a new window starts.
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Verdict:
    """The count after this request, the limit, and when the window ends."""

    count: int
    limit: int
    retry_at: datetime

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit


def key_for(kind: str, value: str) -> str:
    """``ip:…`` / ``phone:…`` with the value replaced by a keyed hash."""
    digest = salted_hmac("civicgrid.citizens.ratelimit", value).hexdigest()[:40]
    return f"{kind}:{digest}"


def window_start(now: datetime, seconds: int) -> datetime:
    stamp = int(now.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(stamp, tz=UTC)


def hit(key: str, *, limit: int, seconds: int = 3600, now: datetime | None = None) -> Verdict:
    """Count one request of ``key`` in the current window; ``allowed`` says if it may go on."""
    now = now or timezone.now()
    start = window_start(now, seconds)
    count = None
    for _attempt in range(3):
        count = _bump(key, start)
        if count is not None:
            break
        try:
            with transaction.atomic():
                RateCount.objects.create(key=key, window_start=start, count=1)
        except IntegrityError:
            continue  # another request opened the window a moment ago: bump it
        count = 1
        RateCount.objects.filter(window_start__lt=now - KEEP).delete()
        break
    if count is None:
        raise RuntimeError("could not count the request")
    return Verdict(count, limit, start + timedelta(seconds=seconds))


def _bump(key: str, start: datetime) -> int | None:
    """The window's count after adding one; None when the window has no row yet."""
    if not connection.features.can_return_columns_from_insert:  # SQLite < 3.35
        with transaction.atomic():
            if RateCount.objects.filter(key=key, window_start=start).update(count=F("count") + 1):
                return RateCount.objects.get(key=key, window_start=start).count
            return None
    table, count, key_column, start_column = map(
        connection.ops.quote_name, (RateCount._meta.db_table, "count", "key", "window_start")
    )
    with connection.cursor() as cursor:
        # One statement, its own transaction: the row is locked only while it runs.
        cursor.execute(
            f"UPDATE {table} SET {count} = {count} + 1 "  # noqa: S608
            f"WHERE {key_column} = %s AND {start_column} = %s RETURNING {count}",
            [key, connection.ops.adapt_datetimefield_value(start)],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def limits() -> dict[str, int]:
    """Reports (and +1s) per phone and per client address in one window, from settings."""
    return {
        "phone": int(getattr(settings, "CIVICGRID_CITIZEN_PER_PHONE", 5)),
        "ip": int(getattr(settings, "CIVICGRID_CITIZEN_PER_IP", 20)),
        "seconds": int(getattr(settings, "CIVICGRID_CITIZEN_WINDOW_SECONDS", 3600)),
    }
