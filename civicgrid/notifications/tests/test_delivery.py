"""E-mail and SMS: sent after commit, once, as each person chose, without personal data."""

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.notifications import sender
from civicgrid.notifications.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    SmsMessage,
)
from civicgrid.notifications.services import notify_for_event, set_preferences

from .conftest import case_at

PRIVATE = ("13812345678", "张三", "路灯不亮", "晚上很黑")


def wants(user, *, email="", phone="", by_email=False, by_sms=False):
    user.email, user.phone = email, phone
    user.save()
    set_preferences(user, by_email=by_email, by_sms=by_sms)


def dispatch(w, capture):
    case = case_at(w, "registered")
    with capture(execute=True):
        return services.act(case, Action.DISPATCH, actor=w.dispatcher, main_department=w.bureau.pk)


def test_an_email_goes_out_once_however_often_the_sender_runs(
    world, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.CIVICGRID_BASE_URL = "https://12345.example.gov.cn"
    wants(world.handler, email="wang@cgj.example.gov.cn", by_email=True)
    event = dispatch(world, django_capture_on_commit_callbacks)
    notify_for_event(event.pk)  # the event processed a second time
    assert sender.run_once() == {DeliveryStatus.SENT: 1}
    assert sender.run_once() == {}
    (message,) = mailoutbox
    assert message.to == ["wang@cgj.example.gov.cn"]
    assert event.case.number in message.subject
    assert f"https://12345.example.gov.cn/cases/{event.case.number}/" in message.body
    for private in PRIVATE:
        assert private not in message.subject + message.body
    delivery = Delivery.objects.get()
    assert delivery.external_id == message.extra_headers["Message-ID"]


def test_an_sms_is_logged_by_the_logging_gateway_with_the_phone_masked(
    world, caplog, django_capture_on_commit_callbacks
):
    wants(world.handler, phone="13900001111", by_sms=True)
    event = dispatch(world, django_capture_on_commit_callbacks)
    with caplog.at_level(logging.INFO, logger="civicgrid.notifications.sms"):
        assert sender.run_once() == {DeliveryStatus.SENT: 1}
    sms = SmsMessage.objects.get()
    assert sms.phone == "139****1111"
    assert event.case.number in sms.text
    assert len(sms.text) <= 70 * 2
    for private in (*PRIVATE, "13900001111"):
        assert private not in sms.text
        assert private not in caplog.text
    assert "139****1111" in caplog.text
    assert Delivery.objects.get().external_id == f"log-{sms.pk}"


def test_without_a_choice_a_person_is_told_in_the_app_only(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world.handler.email, world.handler.phone = "wang@cgj.example.gov.cn", "13900001111"
    world.handler.save()
    event = dispatch(world, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(event=event, recipient=world.handler).exists()
    assert not Delivery.objects.exists()
    sender.run_once()
    assert mailoutbox == []


def test_a_channel_cannot_be_chosen_without_its_address(world):
    with pytest.raises(ValidationError) as refused:
        set_preferences(world.handler, by_email=True, by_sms=True)
    assert set(refused.value.message_dict) == {"by_email", "by_sms"}
    assert not NotificationPreference.objects.filter(user=world.handler).exists()


def test_a_channel_turned_off_before_sending_is_skipped(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    wants(world.handler, email="wang@cgj.example.gov.cn", by_email=True)
    dispatch(world, django_capture_on_commit_callbacks)
    set_preferences(world.handler, by_email=False, by_sms=False)
    assert sender.run_once() == {DeliveryStatus.SKIPPED: 1}
    assert mailoutbox == []


def test_a_row_left_sending_by_a_dead_worker_is_taken_over_after_the_lease(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    wants(world.handler, email="wang@cgj.example.gov.cn", by_email=True)
    dispatch(world, django_capture_on_commit_callbacks)
    now = timezone.now()
    _token, rows = sender.claim(10, now)  # ... and the worker dies here
    assert len(rows) == 1
    lease = sender.lease()
    assert sender.run_once(now=now + lease - timedelta(seconds=1)) == {}
    assert sender.run_once(now=now + lease + timedelta(seconds=1)) == {DeliveryStatus.SENT: 1}
    assert len(mailoutbox) == 1
    assert Delivery.objects.get().attempts == 2


def test_a_slow_worker_does_not_send_what_another_has_taken_over(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    wants(world.handler, email="wang@cgj.example.gov.cn", by_email=True)
    dispatch(world, django_capture_on_commit_callbacks)
    long_ago = timezone.now() - timedelta(minutes=10)
    Delivery.objects.update(next_attempt_at=long_ago)
    token, (row,) = sender.claim(10, long_ago)  # a worker stuck since then
    assert sender.run_once() == {DeliveryStatus.SENT: 1}  # looked abandoned: taken over
    assert sender.send(row, token, timezone.now()) is None  # the slow one wakes up
    assert len(mailoutbox) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_retry_now_in_the_admin_sends_a_given_up_delivery_again(
    world, admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    wants(world.handler, email="wang@cgj.example.gov.cn", by_email=True)
    dispatch(world, django_capture_on_commit_callbacks)
    Delivery.objects.update(status=DeliveryStatus.GIVEN_UP, attempts=8, last_error="SMTP down")
    sent = Delivery.objects.create(
        event=Delivery.objects.get().event,
        channel="email",
        target="user:0",
        status=DeliveryStatus.SENT,
        next_attempt_at=timezone.now(),
    )
    changelist = reverse("admin:notifications_delivery_changelist")
    assert "SMTP down" in admin_client.get(changelist).content.decode()
    response = admin_client.post(
        changelist,
        {
            "action": "retry_now",
            "_selected_action": list(Delivery.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )
    assert "1 delivery will be sent at the next pass." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT  # never sent twice
    assert sender.run_once() == {DeliveryStatus.SENT: 1}
    assert len(mailoutbox) == 1


def test_the_command_sends_and_reports(world, mailoutbox, django_capture_on_commit_callbacks):
    wants(world.handler, email="wang@cgj.example.gov.cn", by_email=True)
    dispatch(world, django_capture_on_commit_callbacks)
    out = StringIO()
    call_command("send_notifications", "--once", stdout=out)
    assert "1" in out.getvalue()
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_action_sends_nothing_and_a_committed_one_does(world, mailoutbox):
    wants(world.handler, email="wang@cgj.example.gov.cn", by_email=True)
    case = case_at(world, "registered")

    def a_request_that_fails_after_the_dispatch():
        with transaction.atomic():
            services.act(
                case, Action.DISPATCH, actor=world.dispatcher, main_department=world.bureau.pk
            )
            raise RuntimeError("the request failed after the dispatch")

    with pytest.raises(RuntimeError):
        a_request_that_fails_after_the_dispatch()
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert sender.run_once() == {}
    case.refresh_from_db()
    services.act(case, Action.DISPATCH, actor=world.dispatcher, main_department=world.bureau.pk)
    assert Notification.objects.filter(recipient=world.handler).count() == 1
    assert sender.run_once() == {DeliveryStatus.SENT: 1}
    assert len(mailoutbox) == 1
