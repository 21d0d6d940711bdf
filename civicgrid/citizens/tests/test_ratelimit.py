"""Per-phone and per-address limits, counted in the database by every process alike."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import close_old_connections, connection

from civicgrid.cases.models import Case
from civicgrid.citizens import ratelimit
from civicgrid.citizens.models import RateCount

from .conftest import photo, report_data


@pytest.mark.django_db
def test_too_many_reports_from_one_phone_get_a_clear_429(client, district, settings):
    settings.CIVICGRID_CITIZEN_PER_PHONE = 2
    for _ in range(2):
        ok = client.post("/report/", report_data(client, district["grid11"]))
        assert ok.status_code == 200
    refused = client.post(
        "/report/", {**report_data(client, district["grid11"]), "photos": photo()}
    )

    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Too many reports for now" in html
    assert "Please try again in" in html
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert Case.objects.count() == 2
    # Another phone is not held up by it.
    other = client.post("/report/", report_data(client, district["grid11"], phone="13900001111"))
    assert other.status_code == 200


@pytest.mark.django_db
def test_too_many_posts_from_one_address_are_refused_before_anything_is_read(
    client, district, settings
):
    settings.CIVICGRID_CITIZEN_PER_IP = 2
    for phone in ("13900000001", "13900000002"):
        client.post("/report/", report_data(client, district["grid11"], phone=phone))
    refused = client.post("/report/", report_data(client, district["grid11"], phone="13900000003"))

    assert refused.status_code == 429
    assert Case.objects.count() == 2
    # Counted by a keyed hash: the table holds no address or phone.
    keys = list(RateCount.objects.values_list("key", flat=True))
    assert all("127.0.0.1" not in k and "139" not in k for k in keys)


@pytest.mark.django_db
def test_a_proxy_header_names_the_client_when_configured(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1", REMOTE_ADDR="10.0.0.1")
    assert ratelimit.client_ip(request) == "10.0.0.1"
    settings.CIVICGRID_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    # Two proxies: the outer one saw the client, the inner one (10.0.0.1) saw the outer.
    settings.CIVICGRID_TRUSTED_PROXIES = 2
    assert ratelimit.client_ip(request) == "203.0.113.9"


@pytest.mark.django_db
def test_an_address_the_client_writes_into_the_proxy_header_is_not_believed(rf, settings):
    settings.CIVICGRID_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    # The client sent "X-Forwarded-For: 198.51.100.7"; our one proxy appended what it saw.
    forged = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    assert ratelimit.client_ip(forged) == "203.0.113.9"
    plain = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ratelimit.client_ip(plain) == "203.0.113.9"


@pytest.mark.django_db
def test_a_new_window_starts_from_zero():
    start = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    for _ in range(3):
        last = ratelimit.hit("ip:x", limit=2, now=start + timedelta(minutes=5))
    assert (last.count, last.allowed) == (3, False)
    assert last.retry_at == start + timedelta(hours=1)
    later = ratelimit.hit("ip:x", limit=2, now=start + timedelta(minutes=65))
    assert (later.count, later.allowed) == (1, True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_each_counted_once():
    """Threads with their own connections race on one key: no count is lost or repeated."""
    threads, per_thread = 6, 15
    seen: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    now = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)

    def worker():
        try:
            for _ in range(per_thread):
                verdict = ratelimit.hit("phone:race", limit=1000, now=now)
                with lock:
                    seen.append(verdict.count)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    close_old_connections()

    assert errors == []
    assert sorted(seen) == list(range(1, threads * per_thread + 1))
    assert RateCount.objects.get(key="phone:race").count == threads * per_thread
