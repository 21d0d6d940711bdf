"""Open311 GeoReport v2: the systems allowed to post, and what they sent besides the case."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Integration, hash_token

KEY_PREFIX = "o311_"


class ClientSystem(models.Model):
    """Another system that posts service requests and updates (接入系统): an app, a portal.

    It authenticates with ``api_key``; only the key's SHA-256 is stored, so a leaked
    database leaks no usable key. Cases and notes it posts are recorded as made by
    ``user``, an integration account of kind ``open311`` whose regions bound where its
    cases may lie and which cases it may post updates on.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="open311_clients",
        help_text=_(
            "The account its cases and notes are recorded under: an integration account "
            "of kind “Open311 client system”, its own. Its regions bound where its cases "
            "may lie and which cases it may post updates on."
        ),
    )
    prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Bumped by every save: the per-process key cache (``services.client_for_key``)
    # drops what it knew when it changes (a key rotated, the client deactivated).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client system")
        verbose_name_plural = _("Open311 client systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        user = getattr(self, "user", None) if self.user_id else None
        if user is None:
            return
        if not user.is_active:
            raise ValidationError({"user": _("This account is inactive.")})
        if not user.is_integration_of(Integration.OPEN311):
            raise ValidationError(
                {
                    "user": _(
                        "This account cannot register cases through Open311: choose an "
                        "integration account of kind “Open311 client system”."
                    )
                }
            )
        if not any(grant.region_paths for grant in user.role_grants()):
            raise ValidationError(
                {"user": _("This account has no regions: give it the regions the system serves.")}
            )

    def new_key(self) -> str:
        """Set a fresh API key and return it; only its hash is kept (show it once)."""
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        self.set_key(raw)
        return raw

    def set_key(self, raw: str) -> None:
        self.prefix = raw[: len(KEY_PREFIX) + 4]
        self.key_hash = hash_token(raw)


class ServiceRequest(models.Model):
    """The Open311 side of a case that came in through ``POST requests``.

    The case itself holds everything the loop needs (channel ``open311``); this row keeps
    who sent it, the token that resolves to it and the client's own identifiers.
    """

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="open311"
    )
    client = models.ForeignKey(
        ClientSystem,
        verbose_name=_("client system"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    token = models.CharField(_("token"), max_length=40, unique=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 service request")
        verbose_name_plural = _("Open311 service requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.client} → {self.case_id}"


class ClientUpdate(models.Model):
    """An update a client system posted on a case, under the client's own ``update_id``.

    The unique constraint makes a repeated ``update_id`` fail even when two posts race.
    """

    client = models.ForeignKey(
        ClientSystem,
        verbose_name=_("client system"),
        on_delete=models.PROTECT,
        related_name="updates",
    )
    update_id = models.CharField(_("client's update id"), max_length=100)
    event = models.OneToOneField(
        "cases.CaseEvent", verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 client update")
        verbose_name_plural = _("Open311 client updates")
        constraints = [
            models.UniqueConstraint(fields=["client", "update_id"], name="one_update_per_client_id")
        ]

    def __str__(self) -> str:
        return f"{self.client} #{self.update_id}"
