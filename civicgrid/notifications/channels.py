"""What each outside channel sends, and how: e-mail, SMS and department webhooks.

Texts are Chinese (the product's language) and carry the case number, the action and
a link — never the reporter's name, phone or words, nor the case's free text: those
stay behind the sign-in. Each ``send_*`` returns an id for the delivery's record and
raises :class:`DeliveryError` (retried) or :class:`NotWanted` (the target no longer
wants it: turned the channel off, lost its address, webhook switched off).
"""

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from civicgrid.cases.lifecycle import action_label
from civicgrid.core import signing

from . import sms
from .models import DeliveryChannel
from .services import channels_of

WEBHOOK_TIMEOUT_SECONDS = 10


def send_timeout_seconds() -> float:
    """The longest one send may block: the webhook's timeout or the SMTP connection's.
    (An SMS gateway is expected to keep within the same.)"""
    return max(WEBHOOK_TIMEOUT_SECONDS, settings.EMAIL_TIMEOUT or 0)


class DeliveryError(Exception):
    """Sending failed this time; the sender retries later."""


class NotWanted(Exception):
    """The target no longer wants this delivery; it is skipped, not retried."""


def absolute(path: str) -> str:
    return settings.CIVICGRID_BASE_URL.rstrip("/") + path


def case_link(case) -> str:
    return absolute(reverse("cases:detail", args=[case.number]))


def sms_text(event) -> str:
    """Short Chinese text: site, case number, action. Nothing about the reporter."""
    with override(settings.LANGUAGE_CODE):
        return _("[%(site)s] Case %(number)s: %(action)s. Please sign in to act on it.") % {
            "site": settings.CIVICGRID_SITE_NAME,
            "number": event.case.number,
            "action": action_label(event.action),
        }


def email_message(delivery) -> EmailMessage:
    event, case = delivery.event, delivery.event.case
    with override(settings.LANGUAGE_CODE):
        subject = _("[%(site)s] Case %(number)s: %(action)s") % {
            "site": settings.CIVICGRID_SITE_NAME,
            "number": case.number,
            "action": action_label(event.action),
        }
        body = render_to_string(
            "notifications/email/notice.txt",
            {
                "case": case,
                "event": event,
                "action": action_label(event.action),
                "link": case_link(case),
                "preferences": absolute(reverse("notifications:preferences")),
                "site_name": settings.CIVICGRID_SITE_NAME,
            },
        )
    # The Message-ID is made of the delivery id, so a message sent again after a crash
    # carries the same one (mail systems and readers drop the repeat) and the delivery
    # record names the message a mail log shows.
    headers = {"Message-ID": message_id(delivery), signing.DELIVERY_HEADER: str(delivery.uid)}
    return EmailMessage(subject, body, to=[delivery.recipient.email], headers=headers)


def message_id(delivery) -> str:
    """``<delivery id@site host>``: globally unique, and the same on every attempt."""
    host = urlsplit(settings.CIVICGRID_BASE_URL).hostname or str(DNS_NAME)
    return f"<{delivery.uid}@{host}>"


def webhook_body(delivery) -> bytes:
    """The JSON a department system receives: what happened, no personal data."""
    event, case = delivery.event, delivery.event.case
    payload = {
        "event": event.pk,
        "case": case.number,
        "action": event.action,
        "status": event.to_status,
        "at": timezone.localtime(event.at).isoformat(),
        "department": delivery.webhook.department.code,
        "link": case_link(case),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _still_wanted(delivery) -> None:
    user = delivery.recipient
    if user is None or not user.is_active or delivery.channel not in channels_of(user):
        raise NotWanted(_("the recipient no longer takes this channel"))


def send_email(delivery) -> str:
    _still_wanted(delivery)
    message = email_message(delivery)
    try:
        message.send()
    except OSError as exc:  # smtplib.SMTPException is an OSError
        raise DeliveryError(f"e-mail: {exc}") from exc
    return message.extra_headers["Message-ID"]


def send_sms(delivery) -> str:
    _still_wanted(delivery)
    try:
        return str(
            sms.gateway().send(
                delivery.recipient.phone, sms_text(delivery.event), delivery_id=str(delivery.uid)
            )
        )
    except Exception as exc:  # a gateway may raise anything; retry all of it
        raise DeliveryError(f"SMS: {exc}") from exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would turn the POST into a GET (or go
    somewhere nobody configured)."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def send_webhook(delivery) -> str:
    hook = delivery.webhook
    if hook is None or not hook.active:
        raise NotWanted(_("the webhook is switched off"))
    body = webhook_body(delivery)
    # The delivery id is signed with the body: the same on every attempt, so the receiver
    # can drop a repeat, and nobody without the secret can replay the body under a new one.
    headers = signing.signed_headers(hook.secret, body, str(delivery.uid))
    headers["User-Agent"] = "civicgrid-webhook"
    request = urllib.request.Request(hook.url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            return f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} from {hook.url}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{hook.url}: {reason}") from exc


SENDERS = {
    DeliveryChannel.EMAIL: send_email,
    DeliveryChannel.SMS: send_sms,
    DeliveryChannel.WEBHOOK: send_webhook,
}
