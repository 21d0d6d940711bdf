"""The sending worker's one pass: claim due deliveries, send each, record the outcome.

Any number of workers may run over one database. A worker claims a batch with one
conditional ``UPDATE`` (due rows only, stamped with its own token and the time): the
stamp is a lease of ``CIVICGRID_NOTIFY_LEASE_SECONDS``. Before sending a row whose stamp
is older than a third of the lease it renews it — zero rows updated means another worker
has taken it over, and it is skipped. One send is bounded by its channel's timeout
(``SEND_TIMEOUT_SECONDS``), which the lease must leave room for twice over (a system
check says so), so a live worker never loses a row in mid-send. A failure leaves the row
for a later attempt (exponential backoff) until ``CIVICGRID_NOTIFY_MAX_ATTEMPTS``, then
``given_up``.

If a worker dies, its rows stay in ``sending`` until the lease runs out; then another
worker takes them over. That is the one case where a target may get a message twice
(the first send may have gone out just before the crash): every attempt carries the
same delivery id (``Delivery.uid``: signed in the webhook's ``X-Civicgrid-Delivery``,
the e-mail's ``Message-ID``, the SMS gateway's reference), so receivers drop the repeat.
"""

import logging
import uuid
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .channels import SENDERS, DeliveryError, NotWanted, send_timeout_seconds
from .models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

BATCH = 50
MAX_DELAY = timedelta(hours=6)


def lease() -> timedelta:
    """How long a claim holds: a row in ``sending`` for longer belongs to a dead worker."""
    return timedelta(seconds=settings.CIVICGRID_NOTIFY_LEASE_SECONDS)


def renew_after() -> timedelta:
    """Renew a claim older than this before sending: the send then ends, at the latest,
    a third of the lease plus one timeout after the stamp, well inside the lease."""
    return lease() / 3


def lease_problem() -> str | None:
    """Why the configured lease is too short for one delivery's timeout, or None."""
    needed = 2 * send_timeout_seconds()
    seconds = settings.CIVICGRID_NOTIFY_LEASE_SECONDS
    if seconds < needed:
        return (
            f"CIVICGRID_NOTIFY_LEASE_SECONDS is {seconds}; it must be at least {needed:g}, "
            "twice the longest send timeout"
        )
    return None


def max_attempts() -> int:
    return settings.CIVICGRID_NOTIFY_MAX_ATTEMPTS


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4, 8 … minutes, at most 6 hours."""
    base = timedelta(seconds=settings.CIVICGRID_NOTIFY_RETRY_SECONDS)
    return min(base * 2 ** max(attempts - 1, 0), MAX_DELAY)


def due(now: datetime) -> Q:
    """Rows a worker may take now: waiting and due, or abandoned by a dead worker."""
    waiting = Q(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now
    )
    return waiting | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - lease())


def claim(batch: int, now: datetime) -> tuple[str, list[Delivery]]:
    """Take up to ``batch`` due deliveries for this worker; its token and the rows."""
    ids = list(
        Delivery.objects.filter(due(now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    if not ids:
        return "", []
    token = uuid.uuid4().hex
    # Conditional: a row another worker claimed since the SELECT is no longer due.
    Delivery.objects.filter(due(now), pk__in=ids).update(
        status=DeliveryStatus.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
    )
    rows = Delivery.objects.filter(claim=token, status=DeliveryStatus.SENDING).select_related(
        "event__case__category",
        "recipient__notification_preference",
        "webhook__department",
    )
    return token, list(rows.order_by("next_attempt_at", "pk"))


def run_once(batch: int = BATCH, now: datetime | None = None) -> Counter:
    """Send one batch of due deliveries; how many ended in each status."""
    now = now or timezone.now()
    token, rows = claim(batch, now)
    outcomes: Counter = Counter()
    for delivery in rows:
        status = send(delivery, token, now)
        if status:
            outcomes[status] += 1
    return outcomes


def send(delivery: Delivery, token: str, now: datetime) -> str | None:
    """Send one claimed delivery and record the result; None when it was taken over."""
    mine = Delivery.objects.filter(pk=delivery.pk, claim=token, status=DeliveryStatus.SENDING)
    # A slow batch must not look abandoned to others: renew the lease of a row claimed a
    # while ago before sending it (zero rows: another worker has taken it over, leave it).
    if timezone.now() - delivery.claimed_at > renew_after() and not mine.update(
        claimed_at=timezone.now()
    ):
        return None
    fields: dict = {"claim": ""}
    try:
        fields["external_id"] = SENDERS[delivery.channel](delivery)[:100]
    except NotWanted as exc:
        fields.update(status=DeliveryStatus.SKIPPED, last_error=str(exc))
    except Exception as exc:  # a broken channel must not stop the others; retried
        if not isinstance(exc, DeliveryError):
            logger.exception("delivery %s failed", delivery.pk)
        fields.update(_failure(delivery, str(exc) or exc.__class__.__name__, now))
    else:
        fields.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    mine.update(**fields)
    return fields["status"]


def _failure(delivery: Delivery, error: str, now: datetime) -> dict:
    if delivery.attempts >= max_attempts():
        logger.warning(
            "delivery %s given up after %s attempts: %s", delivery.pk, delivery.attempts, error
        )
        return {"status": DeliveryStatus.GIVEN_UP, "last_error": error[:500]}
    return {
        "status": DeliveryStatus.FAILED,
        "last_error": error[:500],
        "next_attempt_at": now + backoff(delivery.attempts),
    }


def retry_now(queryset) -> int:
    """Send again at the next pass whatever failed or was given up (admin action).

    Sent and skipped rows are left alone: that is what keeps a message from going twice.
    """
    return queryset.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.GIVEN_UP]
    ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claim="")
