"""Receiving alerts: check the request, store it, then turn it into a case or a repeat.

Store first, process after. ``authenticate`` and ``store`` run before anything is made
of a request; once stored, a delivery is never lost: ``process`` either finishes it
(``processed``, ``merged``, ``rejected``) or leaves it ``failed`` for
``civicgrid process-alerts``. Processing is one transaction that claims the delivery
row, so two workers never process one delivery twice.

Repeats. An alert joins the open case of an earlier one (a) from the same source with
the same external id, or (b) of the same source kind and alert type, observed within
the source's window and distance. Deciders of one kind take turns on an ``AlertLock``
row, so two identical alerts arriving at once still end in one case.
"""

import hmac
import logging
import math
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape

from civicgrid.cases import events, lifecycle
from civicgrid.cases.models import OPEN_STATUSES, Case, Channel, Status
from civicgrid.cases.services import Intake, change_urgency, register_case
from civicgrid.regions.locator import Location, locate
from civicgrid.regions.models import Region
from civicgrid.routing import catalogue

from .adapters import Alert, AlertInvalid, adapter_for, invalid, worse
from .client import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, valid_delivery_id
from .events import ALERT_RECEIVED, ALERT_REPEATED
from .models import (
    PENDING,
    AlertDelivery,
    AlertLock,
    AlertRefusal,
    AlertSource,
    DeliveryStatus,
    RefusalReason,
    new_secret,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
MAX_CLOCK_SKEW_SECONDS = 5 * 60
KEEP_REFUSALS = 10_000
MAX_ATTEMPTS = 5
METRES_PER_DEGREE = 111_320
# A merged case leads on to the case it was merged into; this many hops at most.
MAX_MERGE_HOPS = 5


class Refused(Exception):
    """A request refused before it was stored: its HTTP status and translated reason."""

    def __init__(self, status: int, reason: str, message: str):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, str(message)


class SourceMisconfigured(RuntimeError):
    """The source's options name something that does not exist: fix them, then retry."""


# --- before storing -------------------------------------------------------------------


def authenticate(source: AlertSource, headers, body: bytes, now=None) -> str:
    """The delivery id of a genuine, fresh request; raises ``Refused``."""
    delivery_id = (headers.get(DELIVERY_HEADER) or "").strip()
    timestamp = (headers.get(TIMESTAMP_HEADER) or "").strip()
    given = (headers.get(SIGNATURE_HEADER) or "").strip().lower()
    bad_signature = Refused(
        401,
        RefusalReason.BAD_SIGNATURE,
        _(
            "The signature is missing or wrong: sign “{timestamp}.{delivery id}.{body}” "
            "with HMAC-SHA256."
        ),
    )
    # An unsigned request is unauthenticated whatever else it lacks; a signed one
    # without a usable id cannot be checked, and says what to send.
    if not timestamp or not given:
        raise bad_signature
    if not valid_delivery_id(delivery_id):
        raise Refused(
            400,
            RefusalReason.NO_DELIVERY_ID,
            _(
                "Send a unique X-Civicgrid-Delivery id: 1 to 100 letters, digits, dashes, "
                "underscores or colons."
            ),
        )
    expected = sign(source.secret, timestamp, delivery_id, body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise bad_signature
    now = (now or timezone.now()).timestamp()
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise Refused(
            401,
            RefusalReason.STALE,
            _("The timestamp is more than 5 minutes off our clock: a replay, or a wrong clock."),
        )
    return delivery_id


def store(source: AlertSource, delivery_id: str, body: bytes) -> AlertDelivery:
    """Keep the request as a delivery, in its own transaction: from now on it is not lost.

    A delivery id the source already used is a replay (409), even when both copies
    arrive at once: the unique constraint decides. The signature covers the id, so only
    the source itself can send a body again under a new one.
    """
    text = body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    try:
        with transaction.atomic():
            return AlertDelivery.objects.create(source=source, delivery_id=delivery_id, body=text)
    except IntegrityError as exc:
        raise Refused(
            409,
            RefusalReason.REPLAYED,
            _("This delivery (%(id)s) was already received from this source.")
            % {"id": delivery_id},
        ) from exc


def log_refusal(
    source: AlertSource | None, slug: str, refused: Refused, *, delivery_id="", ip=None, size=0
) -> AlertRefusal:
    """Write a refused request to the log table (capped) and to the Python log."""
    logger.warning(
        "alert refused: %s (%s) source=%s delivery=%s ip=%s",
        refused.reason,
        refused.status,
        slug,
        delivery_id,
        ip,
    )
    row = AlertRefusal.objects.create(
        source=source,
        slug=slug[:100],
        delivery_id=delivery_id[:100],
        reason=refused.reason,
        status_code=refused.status,
        remote_addr=ip,
        size=size,
    )
    if row.pk % 100 == 0:
        AlertRefusal.objects.filter(pk__lte=row.pk - KEEP_REFUSALS).delete()
    return row


def rotate_secret(source: AlertSource) -> str:
    """Give ``source`` a new shared secret (the old one stops working) and return it."""
    source.secret = new_secret()
    source.secret_rotated_at = timezone.now()
    source.save(update_fields=["secret", "secret_rotated_at"])
    return source.secret


# --- processing -----------------------------------------------------------------------


def process(pk: int) -> AlertDelivery:
    """Process one stored delivery, at most once, and return it as it now stands.

    Raises ``AlertInvalid`` when its payload cannot be used (the delivery is then
    ``rejected`` with the reason). Any other failure leaves it ``failed``, counted in
    ``attempts``, for the retry command. A delivery another worker is processing, or
    has finished, is returned as it is.
    """
    try:
        with transaction.atomic():
            delivery = (
                AlertDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("source")
                .filter(pk=pk, status__in=PENDING)
                .first()
            )
            if delivery is not None:
                _process(delivery)
    except AlertInvalid as exc:
        _settle(pk, status=DeliveryStatus.REJECTED, error=exc.message, processed_at=timezone.now())
        raise
    except Exception as exc:
        logger.exception("alert delivery %s failed; civicgrid process-alerts retries it", pk)
        error = repr(exc)[:2000]
        _settle(pk, status=DeliveryStatus.FAILED, error=error, attempts=F("attempts") + 1)
    return AlertDelivery.objects.select_related("case").get(pk=pk)


def _settle(pk: int, **fields) -> bool:
    """Finish a delivery only if nobody else has: a conditional update on its status."""
    return bool(AlertDelivery.objects.filter(pk=pk, status__in=PENDING).update(**fields))


def _process(delivery: AlertDelivery) -> None:
    source = delivery.source
    alert = adapter_for(source.kind).parse(delivery.body, source.options)
    fields = {
        "external_id": alert.external_id,
        "alert_type": alert.alert_type,
        "observed_at": alert.observed_at,
        "processed_at": timezone.now(),
        "error": "",
    }
    location = _place(source, alert)
    fields.update(lng=location.lng, lat=location.lat)
    if not alert.makes_case:
        _settle(delivery.pk, status=DeliveryStatus.PROCESSED, **fields)
        return
    AlertLock.objects.select_for_update().get_or_create(key=source.kind)
    case = _open_case_for(source, alert, location)
    if case is None:
        case = _open(source, alert, delivery)
        status = DeliveryStatus.PROCESSED
    else:
        _repeat(case, source, alert, delivery)
        status = DeliveryStatus.MERGED
    _settle(delivery.pk, status=status, case=case, **fields)


def _place(source: AlertSource, alert: Alert) -> Location:
    """The alert's position and grid, if it lies in the source's region."""
    try:
        location = locate(alert.lng, alert.lat, alert.datum)
    except ValueError as exc:
        raise invalid("lng", str(exc)) from exc
    region = Region.objects.defer("boundary").get(pk=source.region_id)
    if location.grid is not None:
        if location.grid.path.startswith(region.path):
            return location
    elif region.boundary and shape(region.boundary).covers(Point(location.lng, location.lat)):
        return location  # inside the region, between grids: the case waits for placement
    raise invalid(
        "lng",
        _("This place (%(lng).6f, %(lat).6f) is outside %(region)s, where this source may report.")
        % {"lng": location.lng, "lat": location.lat, "region": region.name},
    )


# --- matching repeats -----------------------------------------------------------------

LIVE_STATUSES = (*OPEN_STATUSES, Status.MERGED)


def _open_target(case: Case) -> Case | None:
    """The open case that ``case`` is, or was merged into; None when it is closed."""
    for _hop in range(MAX_MERGE_HOPS):
        if case.status != Status.MERGED or not case.merged_into_id:
            break
        case = Case.objects.get(pk=case.merged_into_id)
    return case if case.is_open else None


def _open_case_for(source: AlertSource, alert: Alert, location: Location) -> Case | None:
    """The open case this alert repeats: same source and id first, else same place."""
    earlier = AlertDelivery.objects.filter(case__status__in=LIVE_STATUSES).select_related("case")
    same_id = earlier.filter(source=source, external_id=alert.external_id).order_by("-id")[:20]
    for row in same_id:
        if target := _open_target(row.case):
            return target
    window = timedelta(minutes=source.dedupe_window_minutes)
    distance = source.dedupe_distance_m
    if not window or not distance:
        return None
    dlat = distance / METRES_PER_DEGREE
    dlng = dlat / max(math.cos(math.radians(location.lat)), 0.01)
    nearby = earlier.filter(
        source__kind=source.kind,
        alert_type=alert.alert_type,
        observed_at__range=(alert.observed_at - window, alert.observed_at + window),
        lat__range=(location.lat - dlat, location.lat + dlat),
        lng__range=(location.lng - dlng, location.lng + dlng),
    ).order_by("-observed_at")[:100]
    ranked = sorted(
        (metres(location.lng, location.lat, row.lng, row.lat), -row.pk, row) for row in nearby
    )
    for gap, _pk, row in ranked:
        if gap <= distance and (target := _open_target(row.case)):
            return target
    return None


def metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance between two WGS84 points, in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


# --- the case -------------------------------------------------------------------------


def _event_data(source: AlertSource, alert: Alert, delivery: AlertDelivery) -> dict:
    """What the timeline shows (source, reading, evidence) and what the audit keeps."""
    return {
        "alert_source": source.name,
        "alert": alert.summary,
        "evidence": alert.evidence_url,
        **alert.internal,
        "delivery": delivery.delivery_id,
        "external_id": alert.external_id,
        "alert_type": alert.alert_type,
        "observed_at": alert.observed_at.isoformat(),
        "values": alert.values,
    }


def _open(source: AlertSource, alert: Alert, delivery: AlertDelivery) -> Case:
    """Register a new case (channel ``sensor``) and note where the alert came from."""
    category = None
    if alert.category_code:
        category = catalogue.category(alert.category_code)
        if category is None:
            raise SourceMisconfigured(
                f"source {source.slug}: no active category {alert.category_code}"
            )
    intake = Intake(
        channel=Channel.SENSOR,
        title=alert.title,
        content=alert.content,
        category=category,
        request_type=alert.request_type,
        urgency=alert.urgency,
        lng=alert.lng,
        lat=alert.lat,
        datum=alert.datum,
        address=alert.address[:255],
        extra={
            "alert_source": source.name,
            "evidence_url": alert.evidence_url,
            "alert_repeats": 0,
        },
    )
    try:
        case = register_case(intake, actor=None)
    except lifecycle.InvalidAction as exc:  # e.g. the category does not take this type
        raise SourceMisconfigured(f"source {source.slug}: {exc.message}") from exc
    events.record(case, ALERT_RECEIVED, actor=None, data=_event_data(source, alert, delivery))
    return case


def _repeat(case: Case, source: AlertSource, alert: Alert, delivery: AlertDelivery) -> None:
    """Count the repeat on the open case, raise its urgency if worse, and say so."""
    case = Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case.pk)
    repeats = int((case.extra or {}).get("alert_repeats", 0)) + 1
    case.extra = {**(case.extra or {}), "alert_repeats": repeats}
    Case.objects.filter(pk=case.pk).update(extra=case.extra)
    data = {**_event_data(source, alert, delivery), "repeats": repeats}
    if worse(alert.urgency, case.urgency):
        # Bumps the version: a changed deadline is a change staff acting on an older
        # copy must notice. The alert_repeated event below says why.
        change_urgency(case, alert.urgency, actor=None)
        data["urgency_raised"] = alert.urgency
    events.record(case, ALERT_REPEATED, actor=None, data=data)


def pending(limit: int, *, older_than: timedelta, max_attempts: int = MAX_ATTEMPTS) -> list[int]:
    """Ids of stored deliveries still to process, oldest first (for the retry command)."""
    cutoff = timezone.now() - older_than
    return list(
        AlertDelivery.objects.filter(
            status__in=PENDING, attempts__lt=max_attempts, received_at__lte=cutoff
        )
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
