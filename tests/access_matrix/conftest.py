"""The matrix's world and test client, made once for the module; its size in the summary."""

import tempfile

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from civicgrid.core.snapshot import forget_all

from . import calls, world

# Accounts are signed in by session, never by password: hashing 15 passwords properly
# would cost seconds.
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def matrix_browser() -> Client:
    """One test client for all requests: each new one scans the static files again."""
    return Client()


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker, matrix_browser):
    """The world, in a transaction rolled back at the end; each test rolls back its own."""
    with (
        tempfile.TemporaryDirectory() as media,
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHING),
        django_db_blocker.unblock(),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            forget_all(every=0)  # per-process copies of tables: read the world's rows
            built = world.build()
            for user in built.users.values():
                matrix_browser.cookies.clear()  # else signing in flushes the previous session
                matrix_browser.force_login(user)
                built.sessions[user.pk] = matrix_browser.cookies[settings.SESSION_COOKIE_NAME].value
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def pytest_terminal_summary(terminalreporter):
    if calls.TALLY["requests"]:
        outcomes = ", ".join(f"{n} {kind}" for kind, n in sorted(calls.OUTCOMES.items()))
        terminalreporter.write_line(
            f"access matrix: {calls.TALLY['requests']} requests; "
            f"{calls.TALLY['rows']} role × door × scope rows ({outcomes})"
        )
