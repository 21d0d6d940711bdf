"""Staff accounts, their role and their data scope; tokens for other systems."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("hotline operator")
    DISPATCHER = "dispatcher", _("dispatcher")
    HANDLER = "handler", _("department handler")
    GRID_WORKER = "grid_worker", _("grid worker")
    LEADER = "leader", _("leader")
    MEDIATOR = "mediator", _("mediator")
    ADMIN = "admin", _("administrator")
    INTEGRATION = "integration", _("integration account")


class Integration(models.TextChoices):
    """The other systems that send us cases, each through its own door.

    A new kind of system is one line here, its channel in
    ``cases.services.DOOR_OF_INTEGRATION`` and ``auth=door(kind)`` on its endpoints.
    """

    POLICE_110 = "police_110", _("110 police centre (diversion)")
    OPEN311 = "open311", _("Open311 client system")


class User(AbstractUser):
    """A staff member, or another system's integration account. Citizens report without
    an account.

    Scope: ``regions`` (each with its whole subtree) and, for handlers, ``department``.
    A user with neither sees nothing but what they created.

    An integration account (role ``integration``, ``integration`` naming its system) is
    a system, not a person: it never signs in to pages (no usable password, refused by
    ``auth.StaffBackend``), calls only its own system's endpoints, sees only the cases it
    registered, and takes no lifecycle action; its regions bound where its cases may lie.
    """

    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.OPERATOR)
    integration = models.CharField(
        _("integration"),
        max_length=20,
        choices=Integration.choices,
        blank=True,
        help_text=_("For an integration account only: the system it is."),
    )
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("regions in scope"), blank=True, related_name="staff"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="integration") & ~Q(integration=""))
                | (~Q(role="integration") & Q(integration="")),
                name="integration_kind_iff_integration_role",
            )
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_integration(self) -> bool:
        return self.role == Role.INTEGRATION

    def is_integration_of(self, kind: str) -> bool:
        return self.role == Role.INTEGRATION and self.integration == kind

    def clean(self):
        super().clean()
        if self.role == Role.INTEGRATION:
            if not self.integration:
                raise ValidationError({"integration": _("Name the system this account is.")})
            if self.is_staff or self.is_superuser or self.department_id:
                raise ValidationError(
                    _(
                        "An integration account is a system: it has no department and no "
                        "staff or superuser status."
                    )
                )
        elif self.integration:
            raise ValidationError({"integration": _("Only an integration account names a system.")})

    def save(self, *args, **kwargs):
        # A system never signs in: whatever password it was given is never usable.
        if self.role == Role.INTEGRATION and self.has_usable_password():
            self.set_unusable_password()
        super().save(*args, **kwargs)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for another system; only its hash is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        """Create a token and return it with the raw key, shown once."""
        raw = "cg_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], key_hash=hash_token(raw))
        return token, raw


class LoginFailure(models.Model):
    """A sign-in that did not get in: a wrong username or password, or a try refused
    because the username or the client address had failed too often (``throttle``).

    Written for the staff sign-in page and the admin's; counted per username and per
    address within a window by ``accounts.throttle``; read-only in the admin. The
    username is kept as typed (also when no such account exists), never the password.
    """

    class Reason(models.TextChoices):
        WRONG_PASSWORD = "wrong_password", _("wrong username or password")
        THROTTLED = "throttled", _("refused: too many failures")

    at = models.DateTimeField(_("at"))
    username = models.CharField(_("username"), max_length=150)
    address = models.CharField(_("client address"), max_length=64)
    reason = models.CharField(
        _("reason"), max_length=16, choices=Reason.choices, default=Reason.WRONG_PASSWORD
    )

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["username", "at"], name="loginfailure_username_at"),
            models.Index(fields=["address", "at"], name="loginfailure_address_at"),
            models.Index(fields=["at"], name="loginfailure_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.address}"
