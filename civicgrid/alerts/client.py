"""Sign and send an alert, with the standard library only (no Django needed).

The server checks signatures with :func:`sign` too, so sender and receiver cannot
disagree on the recipe::

    X-Civicgrid-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{raw body}">

``post_alert`` is what ``civicgrid send-test-alert`` and the benchmarks use.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid

DELIVERY_HEADER = "X-Civicgrid-Delivery"
TIMESTAMP_HEADER = "X-Civicgrid-Timestamp"
SIGNATURE_HEADER = "X-Civicgrid-Signature"


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The signature header value of ``body`` sent at ``timestamp`` (unix seconds)."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def encode(payload: dict) -> bytes:
    """The body as sent: compact UTF-8 JSON (the signature covers these exact bytes)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(
    secret: str, body: bytes, delivery_id: str | None = None, timestamp: int | None = None
) -> dict[str, str]:
    """The three headers of a delivery, plus its content type."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        DELIVERY_HEADER: delivery_id or uuid.uuid4().hex,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def post_alert(
    base_url: str,
    source_slug: str,
    secret: str,
    payload: dict,
    delivery_id: str | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict]:
    """POST ``payload`` to ``{base_url}/alerts/{source_slug}/``: (HTTP status, JSON answer).

    Error statuses are returned, not raised; a network failure raises ``OSError``.
    """
    body = encode(payload)
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/alerts/{source_slug}/",
        data=body,
        headers=signed_headers(secret, body, delivery_id),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, _json(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read())


def _json(raw: bytes) -> dict:
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return {"raw": raw.decode(errors="replace")}
    return answer if isinstance(answer, dict) else {"answer": answer}
