"""HMAC-SHA256 signatures between civicgrid and other systems, one recipe both ways:
webhooks we send to department systems (notifications) and alerts platforms send us
(alerts). Standard library only, so clients and benchmarks can import it without Django.

The signature covers the timestamp, the delivery id and the body:
``sha256=<hex HMAC-SHA256(secret, "{timestamp}.{delivery id}.{body}")>``. The receiver
recomputes it with the shared secret and compares it in constant time; it refuses a
timestamp too far from its own clock (a replayed request) and de-duplicates on
``X-Civicgrid-Delivery``: a retry after a crash may deliver the same body twice, always
under the same id, and nobody without the secret can re-send a body under a new id.
A delivery id is 1–100 letters, digits, ``-``, ``_`` or ``:`` (no dot), so the dots of
the signed text can only be read one way.
"""

import hashlib
import hmac
import re
import time

SIGNATURE_HEADER = "X-Civicgrid-Signature"
TIMESTAMP_HEADER = "X-Civicgrid-Timestamp"
DELIVERY_HEADER = "X-Civicgrid-Delivery"
TOLERANCE_SECONDS = 300
DELIVERY_ID = re.compile(r"[A-Za-z0-9_:\-]{1,100}")


def valid_delivery_id(delivery_id: str) -> bool:
    return DELIVERY_ID.fullmatch(delivery_id or "") is not None


def sign(secret: str, timestamp: int | str, delivery_id: str, body: bytes) -> str:
    """``sha256=<hex>`` of ``"{timestamp}.{delivery_id}.{body}"`` keyed with ``secret``."""
    message = f"{timestamp}.{delivery_id}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signature_matches(
    secret: str, timestamp: str, delivery_id: str, body: bytes, signature: str
) -> bool:
    """Whether ``signature`` is the one of this timestamp, delivery and body (constant time).

    The hex digest is compared in lower case, as ``openssl dgst`` may print either.
    """
    if not valid_delivery_id(delivery_id):
        return False
    expected = sign(secret, timestamp, delivery_id, body)
    return hmac.compare_digest(expected.encode(), (signature or "").strip().lower().encode())


def fresh(timestamp: str, *, now: float | None = None) -> bool:
    """Whether ``timestamp`` (unix seconds) is within ``TOLERANCE_SECONDS`` of our clock."""
    timestamp = str(timestamp or "").strip()
    if not timestamp.isdigit():
        return False
    return abs((time.time() if now is None else now) - int(timestamp)) <= TOLERANCE_SECONDS


def verify(
    secret: str,
    timestamp: str,
    delivery_id: str,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
) -> bool:
    """Whether ``signature`` is ours for this delivery and body, and the timestamp recent."""
    return signature_matches(secret, timestamp, delivery_id, body, signature) and fresh(
        timestamp, now=now
    )


def signed_headers(secret: str, body: bytes, delivery_id: str, *, now: float | None = None):
    """The headers of one signed POST."""
    if not valid_delivery_id(delivery_id):
        raise ValueError(f"not a delivery id: {delivery_id!r}")
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, delivery_id, body),
        DELIVERY_HEADER: delivery_id,
    }
