"""A background poll does not throw away the session a signed-out form was kept in."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

DEAD = "x" * 32  # a session key no session has (it ran out, or was deleted)


def _deleted(response) -> bool:
    cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie is not None and not cookie.value and str(cookie["max-age"]) == "0"


def test_a_page_load_with_a_dead_session_cookie_clears_it(client):
    client.cookies[settings.SESSION_COOKIE_NAME] = DEAD
    response = client.get("/accounts/login/")
    assert _deleted(response)


def test_the_badge_poll_with_a_dead_session_cookie_leaves_the_cookie_alone(client):
    client.cookies[settings.SESSION_COOKIE_NAME] = DEAD
    response = client.get("/notifications/badge/", headers={"HX-Request": "true"})
    assert response.status_code == 302  # to the sign-in page, as for any signed-out request
    assert settings.SESSION_COOKIE_NAME not in response.cookies
