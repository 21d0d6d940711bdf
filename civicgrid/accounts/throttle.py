"""Sign-in throttling: too many failures of one username, or from one address, lock it.

Counted in the database (``LoginFailure`` rows), so every web process agrees. A try
first writes its own row, then counts the failures of its username and of its address
within the window, its own row included: of any number of tries racing each other, at
most ``limit`` see a count within the limit, so at most ``limit`` passwords are checked
per window however the tries are spread over processes. A try over the limit is refused
without checking the password (its row becomes ``throttled``, which does not count, so
the lock ends one window after the failures that caused it); a try that gets in
deletes its row. A success erases nothing else: the failures of its address (other
accounts tried from there) and of its account stay counted until they age out.

Unknown usernames are counted and refused alike: the answer never tells whether an
account exists.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from civicgrid.core.client_address import client_ip

from .models import LoginFailure, User

Reason = LoginFailure.Reason


@dataclass(frozen=True)
class Limits:
    """Failures allowed per username and per address in one window, from settings."""

    per_account: int
    per_address: int
    window: timedelta
    keep: timedelta

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            per_account=settings.CIVICGRID_LOGIN_FAILURES_PER_ACCOUNT,
            per_address=settings.CIVICGRID_LOGIN_FAILURES_PER_ADDRESS,
            window=timedelta(seconds=settings.CIVICGRID_LOGIN_WINDOW_SECONDS),
            keep=timedelta(days=settings.CIVICGRID_LOGIN_FAILURES_KEEP_DAYS),
        )


class Locked(Exception):
    """Sign-in refused until ``retry_at``: the username or the address failed too often."""

    def __init__(self, retry_at: datetime):
        super().__init__(retry_at)
        self.retry_at = retry_at


def sign_in(request, *, username: str, password: str) -> User | None:
    """The user ``username`` and ``password`` authenticate, or None; raises ``Locked``.

    Every failure is recorded (who, when, from which address); see the module docstring
    for how tries are counted.
    """
    limits = Limits.from_settings()
    now = timezone.now()
    address = (client_ip(request) if request is not None else "")[:64] or "unknown"
    attempt = LoginFailure.objects.create(at=now, username=username[:150], address=address)
    retry_at = locked_until(attempt, limits)
    if retry_at is not None:
        LoginFailure.objects.filter(pk=attempt.pk).update(reason=Reason.THROTTLED)
        raise Locked(retry_at)
    user = authenticate(request, username=username, password=password)
    if user is not None:
        attempt.delete()
        return user
    LoginFailure.objects.filter(at__lt=now - limits.keep).delete()
    return None


def locked_until(attempt: LoginFailure, limits: Limits) -> datetime | None:
    """When the tries like ``attempt`` may go on, or None if it is within both limits."""
    since = attempt.at - limits.window
    recent = LoginFailure.objects.filter(reason=Reason.WRONG_PASSWORD, at__gt=since)
    until = None
    for rows, limit in (
        (recent.filter(username=attempt.username), limits.per_account),
        (recent.filter(address=attempt.address), limits.per_address),
    ):
        if rows.count() <= limit:
            continue
        # The lock ends when the limit-th most recent earlier failure leaves the window.
        earlier = rows.exclude(pk=attempt.pk).order_by("-at").values_list("at", flat=True)
        counted = list(earlier[: max(limit, 1)])
        ends = (counted[-1] if counted else attempt.at) + limits.window
        until = ends if until is None else max(until, ends)
    return until
