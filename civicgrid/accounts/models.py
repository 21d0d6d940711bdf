"""Staff accounts, the roles they hold and where (role grants); tokens for other systems."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("hotline operator")
    DISPATCHER = "dispatcher", _("dispatcher")
    HANDLER = "handler", _("department handler")
    GRID_WORKER = "grid_worker", _("grid worker")
    LEADER = "leader", _("leader")
    MEDIATOR = "mediator", _("mediator")
    # 纪检监察: reads the cases copied to it and keeps the accountability record
    # (``supervision``); scoped to the units it watches (a grant's department).
    INSPECTOR = "inspector", _("discipline inspector")
    # 考核: keeps the assessment schemes, reads every unit's figures and scores
    # (``assessment``); scoped like a leader, by its grant's regions.
    ASSESSOR = "assessor", _("assessment officer")
    # 应急指挥: the emergency command room (``emergency``) opens incidents, starts plans,
    # changes response levels; scoped to the regions it commands.
    COMMANDER = "commander", _("emergency command room")
    # 法院联络员: the court's link to the mediation centre, reading the cases the court
    # sent (诉调对接) and the failures referred back to it (green channel), in its regions.
    COURT_LIAISON = "court_liaison", _("court liaison")
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

    What a person may do, and where, are their role grants (``RoleGrant``): one or more,
    each a role with its own scope. A person with no grant sees nothing but what they
    created.

    An integration account (``integration`` naming its system, one grant of role
    ``integration``) is a system, not a person: it never signs in to pages (no usable
    password, refused by ``auth.StaffBackend``), calls only its own system's endpoints,
    sees only the cases it registered, and takes no lifecycle action; its grant's regions
    bound where its cases may lie.
    """

    integration = models.CharField(
        _("integration"),
        max_length=20,
        choices=Integration.choices,
        blank=True,
        help_text=_("For an integration account only: the system it is."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_integration(self) -> bool:
        return bool(self.integration)

    def is_integration_of(self, kind: str) -> bool:
        return self.integration == kind

    # --- role grants, read once per user object (one request) ---

    def role_grants(self) -> list["RoleGrant"]:
        """This user's grants, first granted first, with their region paths: one query, or
        none while the process keeps them (``keys.grant_rows``)."""
        if not hasattr(self, "_civicgrid_grants"):
            from .keys import grant_rows  # (keys reads this module)

            rows = grant_rows(self.pk, self._read_grant_rows) if self.pk else []
            grants = []
            for pk, role, department_id, paths in rows:
                grant = RoleGrant(pk=pk, user=self, role=role, department_id=department_id)
                grant.paths = list(paths)
                grants.append(grant)
            self._civicgrid_grants = grants
        return self._civicgrid_grants

    def _read_grant_rows(self) -> list[tuple[int, str, int | None, tuple[str, ...]]]:
        """The grants as rows from the database (``keys.grant_rows`` keeps them)."""
        grants: dict[int, tuple[int, str, int | None, list[str]]] = {}
        rows = RoleGrant.objects.filter(user_id=self.pk).order_by("pk", "regions__path")
        fields = ("pk", "role", "department_id", "regions__path")
        for pk, role, department_id, path in rows.values_list(*fields):
            grants.setdefault(pk, (pk, role, department_id, []))
            if path is not None:
                grants[pk][3].append(path)
        return [(pk, role, dep, tuple(paths)) for pk, role, dep, paths in grants.values()]

    def forget_grants(self) -> None:
        """Read the grants again next time (after changing them on this object)."""
        self.__dict__.pop("_civicgrid_grants", None)
        self.__dict__.pop("_civicgrid_paths", None)

    def grants_for(self, *roles: str) -> list["RoleGrant"]:
        """The grants of any of ``roles``."""
        return [grant for grant in self.role_grants() if grant.role in roles]

    def has_role(self, *roles: str) -> bool:
        return bool(self.grants_for(*roles))

    @property
    def roles(self) -> list[str]:
        """The roles held, each once, in the order granted."""
        return list(dict.fromkeys(grant.role for grant in self.role_grants()))

    @property
    def roles_display(self) -> str:
        """The roles held, for people: "dispatcher, mediator"."""
        labels = [str(Role(role).label) for role in self.roles]
        return ", ".join(labels) if labels else str(_("no role"))

    @property
    def department_ids(self) -> list[int]:
        """The departments of this user's grants, each once."""
        ids = (grant.department_id for grant in self.role_grants() if grant.department_id)
        return list(dict.fromkeys(ids))

    @property
    def department_names(self) -> str:
        """The departments of this user's grants, for people: "城管局、住建局"."""
        grants = self.grants.filter(department__isnull=False).select_related("department")
        return "、".join(
            dict.fromkeys(g.department.name for g in grants.order_by("pk") if g.department)
        )

    def clean(self):
        super().clean()
        if self.integration and (self.is_staff or self.is_superuser):
            raise ValidationError(
                _(
                    "An integration account is a system: it has no department and no "
                    "staff or superuser status."
                )
            )

    def save(self, *args, **kwargs):
        # A system never signs in: whatever password it was given is never usable.
        if self.integration and self.has_usable_password():
            self.set_unusable_password()
        super().save(*args, **kwargs)


class RoleGrant(models.Model):
    """One role a person holds, and where: region subtrees and/or a department.

    A dispatcher for the district and a mediator in one of its streets is one person
    with two grants. Permissions ask for a grant whose role may act and whose scope
    covers the case (``cases.scope``); the menu shows the pages of all grants; home is
    the first grant's. An integration account holds exactly one grant, of role
    ``integration``, with no department.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("regions in scope"), blank=True, related_name="grants"
    )
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["user", "pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @property
    def region_paths(self) -> list[str]:
        """The region subtrees this grant covers."""
        if not hasattr(self, "paths"):
            self.paths = list(self.regions.order_by("path").values_list("path", flat=True))
        return self.paths

    def clean(self):
        super().clean()
        if not self.user_id:
            return
        integration = self.user.integration
        if self.role == Role.INTEGRATION and not integration:
            raise ValidationError({"role": _("Name the system this account is.")})
        if integration and self.role != Role.INTEGRATION:
            raise ValidationError(
                {"role": _("An integration account holds only the integration role.")}
            )
        if integration and self.department_id:
            raise ValidationError(
                _(
                    "An integration account is a system: it has no department and no "
                    "staff or superuser status."
                )
            )
        if integration and self.user.grants.exclude(pk=self.pk).exists():
            raise ValidationError(_("An integration account holds one grant."))


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
