"""HMAC-SHA256 signatures between civicgrid and other systems, one recipe both ways:
webhooks we send to department systems (notifications) and alerts platforms send us
(alerts). Standard library only, so clients and benchmarks can import it without Django.

The receiver recomputes ``sha256=<hex>`` over ``"{timestamp}.{body}"`` with the shared
secret and compares it in constant time; it refuses a timestamp too far from its own
clock (a replayed request) and de-duplicates on ``X-Civicgrid-Delivery`` (a retry after
a crash may deliver the same body twice).
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Civicgrid-Signature"
TIMESTAMP_HEADER = "X-Civicgrid-Timestamp"
DELIVERY_HEADER = "X-Civicgrid-Delivery"
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=<hex>`` of ``"{timestamp}.{body}"`` keyed with ``secret``."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float | None = None
) -> bool:
    """Whether ``signature`` is ours for this body and the timestamp is recent."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def signed_headers(secret: str, body: bytes, delivery_id: str, *, now: float | None = None):
    """The headers of one signed POST."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        DELIVERY_HEADER: delivery_id,
    }
