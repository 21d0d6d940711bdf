"""Sign-in throttling: wrong passwords lock the username and the address for a while."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from civicgrid.accounts.models import LoginFailure

PASSWORD = "pw-for-tests"  # the personas' password (factories.make_user)
LOCKED = "Too many failed sign-in attempts."
WRONG = "Please enter a correct username and password."
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"

Reason = LoginFailure.Reason


def browser(address: str) -> Client:
    """A browser at ``address`` that reads English."""
    client = Client(REMOTE_ADDR=address)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_in(client: Client, username: str, password: str, url: str = "/accounts/login/"):
    return client.post(url, {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def limits(settings):
    settings.CIVICGRID_LOGIN_FAILURES_PER_ACCOUNT = 5
    settings.CIVICGRID_LOGIN_FAILURES_PER_ADDRESS = 20
    settings.CIVICGRID_LOGIN_WINDOW_SECONDS = 900
    return settings


@pytest.mark.django_db
def test_it_refuses_the_right_password_after_100_wrong_ones_and_says_when_to_try_again(
    operator, limits
):
    attacker = browser(ATTACKER)
    answers = [sign_in(attacker, "operator", f"guess-{n}") for n in range(100)]

    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert all(WRONG in a.text for a in answers[:5])
    assert {a.status_code for a in answers[5:]} == {429}
    right = sign_in(attacker, "operator", PASSWORD)
    assert right.status_code == 429
    assert LOCKED in right.text
    assert "Sign-in is locked until" in right.text
    assert not signed_in(attacker)
    # Every try is on record; only five passwords were ever checked.
    assert LoginFailure.objects.filter(username="operator").count() == 101
    assert LoginFailure.objects.filter(reason=Reason.WRONG_PASSWORD).count() == 5


@pytest.mark.django_db
def test_an_unknown_username_gets_the_same_answers_as_a_real_one(operator, limits):
    def answers(username):
        client = browser(ATTACKER)
        return [sign_in(client, username, "wrong").text for _ in range(6)]

    real, unknown = answers("operator"), answers("no-such-user")

    assert [WRONG in t for t in real] == [WRONG in t for t in unknown] == [True] * 5 + [False]
    assert LOCKED in real[-1]
    assert LOCKED in unknown[-1]


@pytest.mark.django_db
def test_other_accounts_sign_in_from_another_address_while_one_is_locked(
    operator, dispatcher, limits
):
    attacker = browser(ATTACKER)
    for _ in range(6):
        sign_in(attacker, "operator", "wrong")

    colleague = browser(OFFICE)
    assert sign_in(colleague, "dispatcher", PASSWORD).status_code == 302
    assert signed_in(colleague)
    # The attacked account itself stays locked wherever the right password comes from.
    owner = browser(OFFICE)
    assert LOCKED in sign_in(owner, "operator", PASSWORD).text
    assert not signed_in(owner)


@pytest.mark.django_db
def test_an_address_that_failed_too_often_is_refused_for_every_account(dispatcher, limits):
    limits.CIVICGRID_LOGIN_FAILURES_PER_ADDRESS = 3
    attacker = browser(ATTACKER)
    for name in ("ann", "bob", "cai"):
        assert WRONG in sign_in(attacker, name, "wrong").text

    assert LOCKED in sign_in(attacker, "dispatcher", PASSWORD).text
    assert not signed_in(attacker)
    elsewhere = browser(OFFICE)
    assert sign_in(elsewhere, "dispatcher", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_sign_in_does_not_erase_the_failures_of_other_accounts_from_its_address(
    operator, dispatcher, limits
):
    limits.CIVICGRID_LOGIN_FAILURES_PER_ADDRESS = 3
    shared = browser(ATTACKER)
    for name in ("ann", "bob"):
        sign_in(shared, name, "wrong")
    assert sign_in(shared, "operator", PASSWORD).status_code == 302  # its own account

    assert WRONG in sign_in(browser(ATTACKER), "cai", "wrong").text  # the third failure
    late = browser(ATTACKER)
    assert LOCKED in sign_in(late, "dispatcher", PASSWORD).text
    assert not signed_in(late)


@pytest.mark.django_db
def test_the_lock_ends_when_the_failures_leave_the_window(operator, limits, monkeypatch):
    clock = {"now": datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))}
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock["now"])
    attacker = browser(ATTACKER)
    for _ in range(5):
        sign_in(attacker, "operator", "wrong")

    clock["now"] += timedelta(minutes=14, seconds=59)
    owner = browser(OFFICE)
    refused = sign_in(owner, "operator", PASSWORD)
    assert "Sign-in is locked until 9:15 a.m." in refused.text
    assert refused["Retry-After"] == "1"
    assert not signed_in(owner)

    clock["now"] += timedelta(seconds=1)
    assert sign_in(owner, "operator", PASSWORD).status_code == 302
    assert signed_in(owner)


@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_sent_at_once_are_all_counted_and_check_at_most_the_limit(operator, limits):
    barrier = threading.Barrier(12)
    statuses: list[int] = []

    def guess(n):
        try:
            client = browser(ATTACKER)
            barrier.wait()
            statuses.append(sign_in(client, "operator", f"guess-{n}").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(statuses) == LoginFailure.objects.count() == 12
    checked = LoginFailure.objects.filter(reason=Reason.WRONG_PASSWORD).count()
    assert checked <= 5
    assert statuses.count(200) == checked
    # However the tries raced, no more than five passwords are checked in the window.
    attacker = browser(ATTACKER)
    while WRONG in sign_in(attacker, "operator", "one-more").text:
        pass
    assert LoginFailure.objects.filter(reason=Reason.WRONG_PASSWORD).count() == 5
    assert LOCKED in sign_in(attacker, "operator", PASSWORD).text


@pytest.mark.django_db
def test_the_admin_sign_in_is_throttled_too(admin_user, limits):
    attacker = browser(ATTACKER)
    for _ in range(5):
        sign_in(attacker, "admin", "wrong", url="/admin/login/")

    refused = sign_in(attacker, "admin", "password", url="/admin/login/")
    assert LOCKED in refused.text
    assert not signed_in(attacker)
    assert LoginFailure.objects.filter(username="admin").count() == 6


@pytest.mark.django_db
def test_failed_sign_ins_are_listed_read_only_in_the_admin(operator, admin_client, limits):
    sign_in(browser(ATTACKER), "operator", "wrong")
    failure = LoginFailure.objects.get()

    listing = admin_client.get("/admin/accounts/loginfailure/")
    assert "operator" in listing.text
    assert ATTACKER in listing.text
    assert admin_client.get("/admin/accounts/loginfailure/add/").status_code == 403
    page = admin_client.get(f"/admin/accounts/loginfailure/{failure.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    delete = admin_client.post(f"/admin/accounts/loginfailure/{failure.pk}/delete/")
    assert delete.status_code == 403
    assert LoginFailure.objects.count() == 1
