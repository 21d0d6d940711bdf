"""How the JSON API knows who is calling: a bearer token for systems, the session for the UI.

Tokens are looked up by the SHA-256 of the raw key, so a leaked database does not leak
usable keys. ``last_used_at`` is refreshed at most once a minute: an integration posting
hundreds of cases a minute should not turn every read into a write.
"""

from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from .models import ApiToken, User, hash_token

TOKEN_PREFIX = "cg_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_for_token(raw: str) -> User | None:
    """The active user behind a raw API key, or None for an unknown or revoked key."""
    raw = raw.strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if token.last_used_at is None or token.last_used_at < stale:
        # Conditional, so concurrent requests of one token write the row once.
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=token.pk
        ).update(last_used_at=now)
    return token.user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cg_…`` for other systems.

    A request that presents a bearer token is answered on that token alone: a bad one is
    a 401 at once rather than falling through to the session (and its CSRF check).
    """

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = user_for_token(token)
        if user is None:
            raise AuthenticationError(message=_("The API token is unknown or revoked."))
        return user


token_auth = TokenAuth()
