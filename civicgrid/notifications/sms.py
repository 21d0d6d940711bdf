"""Text messages: the gateway interface and the logging gateway used until a real one.

``CIVICGRID_SMS_GATEWAY`` is the dotted path of a class with
``send(phone, text, *, delivery_id)`` returning the gateway's message id and raising on
failure (the sender then retries). ``delivery_id`` is the same on every attempt of one
message: pass it as the provider's own reference (Aliyun's ``OutId``, Tencent Cloud's
``SessionContext``), so a text re-sent after a crash can be recognised.
A provider's gateway (Aliyun, Tencent Cloud, an operator's SMPP bridge) is one such
class; :class:`LoggingSmsGateway` writes to the log and to the ``SmsMessage`` table.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from civicgrid.cases.models import mask_phone

from .models import SmsMessage

logger = logging.getLogger(__name__)


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, *, delivery_id: str) -> str:
        """Send ``text`` to ``phone``; the gateway's message id. Raises on failure."""
        ...


class LoggingSmsGateway:
    """Sends nothing: logs the text with the phone masked and keeps it for the admin."""

    def send(self, phone: str, text: str, *, delivery_id: str = "") -> str:
        masked = mask_phone(phone)
        row = SmsMessage.objects.create(phone=masked, text=text[:300])
        logger.info("SMS %s to %s: %s", delivery_id, masked, text)
        return f"log-{row.pk}"


def gateway() -> SmsGateway:
    """The configured gateway (``CIVICGRID_SMS_GATEWAY``)."""
    return import_string(settings.CIVICGRID_SMS_GATEWAY)()
