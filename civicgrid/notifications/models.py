"""Notifications: who must act on what, and how each message leaves the building.

A case event that needs someone's action (``rules.RULES``) becomes, after commit, one
in-app :class:`Notification` per person plus one :class:`Delivery` per outside channel
(e-mail, SMS, a department system's webhook). Deliveries are sent by the
``send-notifications`` worker, retried, and never sent twice to one target.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to one user about one case event; read when ``read_at`` is set."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        "cases.CaseEvent", verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="one_notice_per_event"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message


class NotificationPreference(models.Model):
    """Which outside channels a user wants besides the in-app list (always on).

    No row means in-app only. E-mail needs an address on the account, SMS a phone.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    by_email = models.BooleanField(_("by e-mail"), default=False)
    by_sms = models.BooleanField(_("by SMS"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class DepartmentWebhook(models.Model):
    """A department's own system, told by a signed POST when the department must act.

    ``actions`` lists the event actions it wants (empty: every action that concerns the
    department). The body carries no personal data; see ``signing`` for the signature.
    """

    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_secret,
        help_text=_("Shared with the receiving system, which checks the signature with it."),
    )
    actions = models.JSONField(
        _("actions"),
        default=list,
        blank=True,
        help_text=_("Empty: every action that concerns the department."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("department webhook")
        verbose_name_plural = _("department webhooks")
        ordering = ["department", "pk"]

    def __str__(self) -> str:
        return f"{self.department} → {self.url}"

    def wants(self, action: str) -> bool:
        return not self.actions or action in self.actions


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed, will retry")
    GIVEN_UP = "given_up", _("given up")
    SKIPPED = "skipped", _("not sent: no longer wanted")


class Delivery(models.Model):
    """One event on one outside channel to one target; sent at most once.

    ``target`` is ``user:<id>`` or ``webhook:<id>``: with ``event`` and ``channel`` it is
    unique, so however often the event is processed the target gets it once. The
    sender claims a row by moving it to ``sending`` with a conditional update; a row left
    in ``sending`` by a dead worker is taken over once its lease has run out
    (``CIVICGRID_NOTIFY_LEASE_SECONDS``). ``uid`` is the delivery id receivers see (the
    webhook's signed ``X-Civicgrid-Delivery``, the e-mail's ``Message-ID``, the SMS
    gateway's reference): the same on every attempt, so they can drop a repeat.
    """

    uid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)

    event = models.ForeignKey(
        "cases.CaseEvent", verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    target = models.CharField(_("target"), max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    webhook = models.ForeignKey(
        DepartmentWebhook,
        verbose_name=_("webhook"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    external_id = models.CharField(_("message id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "target"], name="one_delivery_per_target"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} {self.channel} {self.target}"


class SmsMessage(models.Model):
    """A text "sent" by the logging SMS gateway, so the demo shows what would go out."""

    phone = models.CharField(_("phone (masked)"), max_length=20)
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SMS message (log)")
        verbose_name_plural = _("SMS messages (log)")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.phone}: {self.text}"
