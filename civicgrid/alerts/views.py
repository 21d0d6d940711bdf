"""The one endpoint other platforms call: check, store, process, answer in JSON.

Answers use the API's error shape (``{"code", "message", "errors"}``) in the caller's
language (``Accept-Language``). Exempt from CSRF: the HMAC signature authenticates
the sender, not a session.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from civicgrid.core.api import error_code

from . import services
from .adapters import AlertInvalid
from .client import DELIVERY_HEADER
from .models import AlertSource, DeliveryStatus, RefusalReason

logger = logging.getLogger(__name__)

# What the sender is told: done, or stored and still to be processed.
SHOWN_STATUS = {DeliveryStatus.PROCESSED: "processed", DeliveryStatus.MERGED: "merged"}


def _answer(body: dict, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _error(status: int, code: str, message: str, errors: list | None = None, **more):
    body = {"code": code, "message": str(message), **more}
    if errors:
        body["errors"] = errors
    return _answer(body, status)


def _body(request: HttpRequest) -> bytes:
    too_large = services.Refused(
        413,
        RefusalReason.TOO_LARGE,
        _("The body is larger than %(kb)d kB.") % {"kb": services.MAX_BODY_BYTES // 1024},
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > services.MAX_BODY_BYTES:
        raise too_large
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise too_large from exc
    if len(body) > services.MAX_BODY_BYTES:
        raise too_large
    return body


@csrf_exempt
def receive(request: HttpRequest, slug: str):
    """Take one alert: 202 when stored (and, normally, already processed)."""
    if request.method != "POST":
        response = _error(405, "method_not_allowed", _("This endpoint takes only POST."))
        response["Allow"] = "POST"
        return response
    source = AlertSource.objects.filter(slug=slug[:50], active=True).first()
    size = 0
    try:
        if source is None:
            raise services.Refused(
                404,
                RefusalReason.UNKNOWN_SOURCE,
                _("There is no active alert source “%(slug)s”.") % {"slug": slug[:50]},
            )
        body = _body(request)
        size = len(body)
        delivery_id = services.authenticate(source, request.headers, body)
        delivery = services.store(source, delivery_id, body)
    except services.Refused as refused:
        services.log_refusal(
            source,
            slug,
            refused,
            delivery_id=request.headers.get(DELIVERY_HEADER, ""),
            ip=request.META.get("REMOTE_ADDR") or None,
            size=size,
        )
        return _error(refused.status, error_code(refused.status), refused.message)
    return _processed(delivery)


def _processed(delivery):
    try:
        delivery = services.process(delivery.pk)
    except AlertInvalid as exc:
        return _error(400, "invalid", exc.message, exc.errors, delivery=delivery.pk)
    except Exception:
        # Stored and safe: the retry command will process it.
        logger.exception("alert delivery %s stored, processing deferred", delivery.pk)
        return _answer({"delivery": delivery.pk, "case": None, "status": "received"}, 202)
    return _answer(
        {
            "delivery": delivery.pk,
            "case": delivery.case.number if delivery.case_id else None,
            "status": SHOWN_STATUS.get(delivery.status, "received"),
        },
        202,
    )
