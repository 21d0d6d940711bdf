"""Department systems get a signed POST, retried until it lands or we give up."""

import hashlib
import hmac
import json
import socket
from datetime import timedelta

from django.utils import timezone

from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.core import signing
from civicgrid.notifications import sender
from civicgrid.notifications.models import Delivery, DeliveryStatus, DepartmentWebhook

from .conftest import case_at

SECRET = "s3cret-for-tests"


def hook(department, url, **fields):
    return DepartmentWebhook.objects.create(department=department, url=url, secret=SECRET, **fields)


def dispatch(w, capture, **data):
    case = case_at(w, "registered")
    with capture(execute=True):
        return services.act(
            case, Action.DISPATCH, actor=w.dispatcher, main_department=w.bureau.pk, **data
        )


def test_a_dispatch_is_posted_to_the_departments_system_signed(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    settings.CIVICGRID_BASE_URL = "https://12345.example.gov.cn/"
    hook(world.bureau, receiver.url)
    event = dispatch(world, django_capture_on_commit_callbacks)
    assert sender.run_once() == {DeliveryStatus.SENT: 1}
    (request,) = receiver.received
    headers, body = request["headers"], request["body"]
    timestamp = headers["X-Civicgrid-Timestamp"]
    delivery = Delivery.objects.get()
    assert headers["X-Civicgrid-Delivery"] == str(delivery.uid)
    signed = f"{timestamp}.{delivery.uid}.".encode() + body
    expected = hmac.new(SECRET.encode(), signed, hashlib.sha256)
    assert headers["X-Civicgrid-Signature"] == "sha256=" + expected.hexdigest()
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    assert json.loads(body) == {
        "event": event.pk,
        "case": event.case.number,
        "action": "dispatch",
        "status": "dispatched",
        "at": timezone.localtime(event.at).isoformat(),
        "department": "CGJ",
        "link": f"https://12345.example.gov.cn/cases/{event.case.number}/",
    }
    assert (delivery.status, delivery.external_id) == (DeliveryStatus.SENT, "HTTP 200")


def test_the_body_carries_no_personal_data_nor_the_citizens_words(
    world, receiver, django_capture_on_commit_callbacks
):
    hook(world.bureau, receiver.url)
    dispatch(world, django_capture_on_commit_callbacks)
    sender.run_once()
    body = receiver.received[0]["body"].decode()
    for private in ("13812345678", "5678", "张三", "路灯不亮", "晚上很黑"):
        assert private not in body


def test_a_receiver_checks_the_signature_and_refuses_a_changed_or_old_body():
    body = b'{"case":"20261122-00001"}'
    headers = signing.signed_headers(SECRET, body, "7", now=1_800_000_000)
    timestamp, signature = headers["X-Civicgrid-Timestamp"], headers["X-Civicgrid-Signature"]
    assert signing.verify(SECRET, timestamp, "7", body, signature, now=1_800_000_010)
    assert not signing.verify(SECRET, timestamp, "7", body + b" ", signature, now=1_800_000_010)
    assert not signing.verify("another-secret", timestamp, "7", body, signature, now=1_800_000_010)
    assert not signing.verify(SECRET, timestamp, "7", body, signature, now=1_800_000_000 + 3600)
    # The delivery id is signed too: the same body under another id is not ours.
    assert not signing.verify(SECRET, timestamp, "8", body, signature, now=1_800_000_010)


def test_a_failed_post_is_retried_later_and_then_lands(
    world, receiver, django_capture_on_commit_callbacks
):
    hook(world.bureau, receiver.url)
    dispatch(world, django_capture_on_commit_callbacks)
    receiver.replies = [500]
    assert sender.run_once() == {DeliveryStatus.FAILED: 1}
    delivery = Delivery.objects.get()
    assert "HTTP 500" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    assert sender.run_once() == {}  # not due yet
    assert sender.run_once(now=delivery.next_attempt_at) == {DeliveryStatus.SENT: 1}
    first, second = receiver.received
    assert first["body"] == second["body"]
    assert first["headers"]["X-Civicgrid-Delivery"] == second["headers"]["X-Civicgrid-Delivery"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")


def test_it_gives_up_after_the_last_attempt_and_stops_posting(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    settings.CIVICGRID_NOTIFY_MAX_ATTEMPTS = 3
    hook(world.bureau, receiver.url)
    dispatch(world, django_capture_on_commit_callbacks)
    receiver.default = 503
    now = timezone.now()
    statuses = []
    for _ in range(5):
        now += timedelta(days=1)
        statuses.append(dict(sender.run_once(now=now)))
    assert statuses == [{"failed": 1}, {"failed": 1}, {"given_up": 1}, {}, {}]
    assert len(receiver.received) == 3
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.GIVEN_UP, 3)


def test_the_wait_between_attempts_doubles(world, receiver, settings):
    settings.CIVICGRID_NOTIFY_RETRY_SECONDS = 60
    assert [sender.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert sender.backoff(30) == sender.MAX_DELAY


def test_a_redirect_is_not_followed_but_counted_as_a_failure(
    world, receiver, django_capture_on_commit_callbacks
):
    hook(world.bureau, receiver.url)
    dispatch(world, django_capture_on_commit_callbacks)
    receiver.replies = [302]
    assert sender.run_once() == {DeliveryStatus.FAILED: 1}
    assert len(receiver.received) == 1
    assert "HTTP 302" in Delivery.objects.get().last_error


def test_an_unreachable_system_is_a_failure_to_retry(world, django_capture_on_commit_callbacks):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    hook(world.bureau, f"http://127.0.0.1:{port}/hook")
    dispatch(world, django_capture_on_commit_callbacks)
    assert sender.run_once() == {DeliveryStatus.FAILED: 1}
    assert Delivery.objects.get().last_error


def test_only_the_departments_concerned_and_the_actions_chosen_are_posted(
    world, receiver, other_bureau, django_capture_on_commit_callbacks
):
    co = hook(world.co_bureau, receiver.url)
    hook(other_bureau, receiver.url)
    hook(world.bureau, receiver.url, active=False)
    urge_only = hook(world.bureau, receiver.url, actions=["urge"])
    event = dispatch(world, django_capture_on_commit_callbacks, co_departments=[world.co_bureau.pk])
    assert list(Delivery.objects.values_list("webhook", flat=True)) == [co.pk]
    with django_capture_on_commit_callbacks(execute=True):
        urge = services.act(event.case, Action.URGE, actor=world.leader, note="今天办结")
    assert set(Delivery.objects.filter(event=urge).values_list("webhook", flat=True)) == {
        urge_only.pk
    }


def test_a_webhook_switched_off_before_sending_is_skipped(
    world, receiver, django_capture_on_commit_callbacks
):
    target = hook(world.bureau, receiver.url)
    dispatch(world, django_capture_on_commit_callbacks)
    DepartmentWebhook.objects.filter(pk=target.pk).update(active=False)
    assert sender.run_once() == {DeliveryStatus.SKIPPED: 1}
    assert receiver.received == []
