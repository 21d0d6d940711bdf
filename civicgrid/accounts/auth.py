"""How the JSON API knows who is calling: a bearer token for systems, the session for the UI.

Tokens are looked up by the SHA-256 of the raw key, so a leaked database does not leak
usable keys. ``last_used_at`` is refreshed at most once a minute: an integration posting
hundreds of cases a minute should not turn every read into a write.
"""

from datetime import timedelta

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from .keys import KeyCache, Known, own_copy
from .models import ApiToken, Integration, User, hash_token

TOKEN_PREFIX = "cg_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_for_token(raw: str) -> User | None:
    """The active user behind a raw API key, or None for an unknown or revoked key.

    Resolved keys are kept in the process (``keys.KeyCache``): a warm request reads no
    token and no grant.
    """
    raw = raw.strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    entry = _tokens.get(hash_token(raw), lambda: _load_token(raw))
    if entry is None:
        return None
    now = timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if entry.last_used_at is None or entry.last_used_at < stale:
        # Conditional, so concurrent requests of one token write the row once.
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=entry.pk
        ).update(last_used_at=now)
        entry.last_used_at = now
    return own_copy(entry.user)


def _load_token(raw: str) -> Known | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked=False, user__is_active=True)
        .first()
    )
    return None if token is None else Known(token.pk, token.user, token.last_used_at)


_tokens = KeyCache()


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cg_…`` for other systems.

    A request that presents a bearer token is answered on that token alone: a bad one is
    a 401 at once rather than falling through to the session (and its CSRF check).

    Each integration account has one door: ``TokenAuth(door=kind)`` guards it and lets
    in only integration accounts of that kind; the plain ``token_auth`` (the rest of the
    API) refuses every integration account. Both refusals are a 403 before the endpoint
    reads anything, so a system's token opens nothing but its own endpoints.
    """

    def __init__(self, door: str = ""):
        super().__init__()
        self.door = door

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = user_for_token(token)
        if user is None:
            raise AuthenticationError(message=_("The API token is unknown or revoked."))
        if self.door and not user.is_integration_of(self.door):
            raise PermissionDenied(_door_refusal(self.door))
        if not self.door and user.is_integration:
            raise PermissionDenied(
                _(
                    "This token belongs to an integration account: it may call only its "
                    "own system's endpoints."
                )
            )
        return user


token_auth = TokenAuth()


class PersonAtDoor(SessionAuth):
    """At a system's door a signed-in person is told it is not theirs (403), not asked
    to sign in (401)."""

    def __init__(self, door: str):
        super().__init__(csrf=False)
        self.door = door

    def authenticate(self, request: HttpRequest, key: str | None) -> None:
        if request.user.is_authenticated:
            raise PermissionDenied(_door_refusal(self.door))


def door(kind: str) -> list:
    """The ``auth`` of the endpoints of one integration kind: its accounts' tokens only."""
    return [TokenAuth(door=kind), PersonAtDoor(kind)]


def _door_refusal(kind: str) -> str:
    return _("This endpoint is only for the integration account of %(system)s.") % {
        "system": Integration(kind).label
    }


class StaffBackend(ModelBackend):
    """Django's password sign-in, for people only: an integration account is refused by
    the login page and the admin (and a session it somehow had is not honoured)."""

    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_integration", False):
            return False
        return super().user_can_authenticate(user)
