"""A killed sender: its rows are taken over once the lease runs out, and the message sent
again carries the delivery id of the first attempt, so receivers can drop the repeat."""

from datetime import timedelta

from django.utils import timezone

from civicgrid.core import signing
from civicgrid.notifications import channels, sender
from civicgrid.notifications.apps import check_lease
from civicgrid.notifications.models import Delivery, DeliveryStatus

from .test_delivery import dispatch, wants
from .test_webhook import SECRET, hook

SECOND = timedelta(seconds=1)


def killed_in_mid_send(send, now):
    """A sender claims the due rows, sends the first and dies before recording it."""
    _token, rows = sender.claim(50, now)
    send(rows[0])
    return rows[0]


def test_a_killed_senders_webhook_is_sent_again_after_the_lease_under_the_same_signed_id(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    hook(world.bureau, receiver.url)
    dispatch(world, django_capture_on_commit_callbacks)
    now = timezone.now()
    delivery = killed_in_mid_send(channels.send_webhook, now)
    lease = timedelta(seconds=settings.CIVICGRID_NOTIFY_LEASE_SECONDS)
    assert lease <= timedelta(minutes=1)

    assert sender.run_once(now=now + lease - SECOND) == {}  # the dead sender's claim holds
    assert sender.run_once(now=now + lease + SECOND) == {DeliveryStatus.SENT: 1}

    first, second = receiver.received
    assert first["body"] == second["body"]
    for request in (first, second):
        headers, body = request["headers"], request["body"]
        assert headers["X-Civicgrid-Delivery"] == str(delivery.uid)
        timestamp, signature = headers["X-Civicgrid-Timestamp"], headers["X-Civicgrid-Signature"]
        assert signing.verify(SECRET, timestamp, str(delivery.uid), body, signature)
        assert not signing.verify(SECRET, timestamp, "another-delivery", body, signature)
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_the_lease_is_configurable(world, receiver, settings, django_capture_on_commit_callbacks):
    settings.CIVICGRID_NOTIFY_LEASE_SECONDS = 45
    hook(world.bureau, receiver.url)
    dispatch(world, django_capture_on_commit_callbacks)
    now = timezone.now()
    killed_in_mid_send(channels.send_webhook, now)
    assert sender.run_once(now=now + timedelta(seconds=44)) == {}
    assert sender.run_once(now=now + timedelta(seconds=46)) == {DeliveryStatus.SENT: 1}


def test_an_email_sent_again_after_a_crash_has_the_same_message_id(
    world, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.CIVICGRID_BASE_URL = "https://12345.example.gov.cn"
    wants(world.handler, email="wang@cgj.example.gov.cn", by_email=True)
    dispatch(world, django_capture_on_commit_callbacks)
    now = timezone.now()
    delivery = killed_in_mid_send(channels.send_email, now)
    later = now + timedelta(seconds=settings.CIVICGRID_NOTIFY_LEASE_SECONDS) + SECOND
    assert sender.run_once(now=later) == {DeliveryStatus.SENT: 1}

    first, second = mailoutbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"] == f"<{delivery.uid}@12345.example.gov.cn>"
    assert second.extra_headers["X-Civicgrid-Delivery"] == str(delivery.uid)


class RecordingGateway:
    """An SMS provider that remembers what it was asked to send."""

    sent: list = []

    def send(self, phone, text, *, delivery_id):
        self.sent.append(delivery_id)
        return f"gw-{len(self.sent)}"


def test_an_sms_sent_again_after_a_crash_gives_the_gateway_the_same_reference(
    world, settings, django_capture_on_commit_callbacks
):
    settings.CIVICGRID_SMS_GATEWAY = f"{__name__}.RecordingGateway"
    RecordingGateway.sent = []
    wants(world.handler, phone="13900001111", by_sms=True)
    dispatch(world, django_capture_on_commit_callbacks)
    now = timezone.now()
    delivery = killed_in_mid_send(channels.send_sms, now)
    later = now + timedelta(seconds=settings.CIVICGRID_NOTIFY_LEASE_SECONDS) + SECOND
    assert sender.run_once(now=later) == {DeliveryStatus.SENT: 1}
    assert RecordingGateway.sent == [str(delivery.uid), str(delivery.uid)]


def test_a_lease_too_short_for_one_send_is_a_configuration_error(settings):
    assert check_lease() == []
    settings.CIVICGRID_NOTIFY_LEASE_SECONDS = 15  # e-mail may block 20 s
    (error,) = check_lease()
    assert error.id == "civicgrid.notifications.E001"
    assert "at least 40" in error.msg
