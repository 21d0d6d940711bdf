"""Sign and send an alert, with the standard library only (no Django needed).

The recipe is ``civicgrid.core.signing``, shared with the webhooks we send, so sender
and receiver cannot disagree on it::

    X-Civicgrid-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{delivery id}.{raw body}">

``post_alert`` is what ``civicgrid send-test-alert`` and the benchmarks use.
"""

import json
import urllib.error
import urllib.request
import uuid

from civicgrid.core import signing

DELIVERY_HEADER = signing.DELIVERY_HEADER
TIMESTAMP_HEADER = signing.TIMESTAMP_HEADER
SIGNATURE_HEADER = signing.SIGNATURE_HEADER
sign = signing.sign
valid_delivery_id = signing.valid_delivery_id


def encode(payload: dict) -> bytes:
    """The body as sent: compact UTF-8 JSON (the signature covers these exact bytes)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(
    secret: str, body: bytes, delivery_id: str | None = None, timestamp: int | None = None
) -> dict[str, str]:
    """The three headers of a delivery, plus its content type."""
    return signing.signed_headers(secret, body, delivery_id or uuid.uuid4().hex, now=timestamp)


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
