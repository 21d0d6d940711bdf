"""Two senders at once over one database never send one delivery twice."""

import threading

import pytest
from django.db import connection

from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.notifications import sender
from civicgrid.notifications.models import Delivery, DeliveryStatus, DepartmentWebhook
from civicgrid.notifications.services import set_preferences

from .conftest import case_at

CASES = 6


@pytest.mark.django_db(transaction=True)
def test_two_senders_racing_send_each_delivery_exactly_once(world, receiver, mailoutbox):
    world.handler.email = "wang@cgj.example.gov.cn"
    world.handler.save()
    set_preferences(world.handler, by_email=True, by_sms=False)
    DepartmentWebhook.objects.create(department=world.bureau, url=receiver.url)
    for _ in range(CASES):
        case = case_at(world, "registered")
        services.act(case, Action.DISPATCH, actor=world.dispatcher, main_department=world.bureau.pk)
    assert Delivery.objects.count() == 2 * CASES
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(sender.run_once(batch=100))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(sum(r.values()) for r in results) == 2 * CASES
    assert len(mailoutbox) == CASES
    assert len(receiver.received) == CASES
    delivery_ids = [r["headers"]["X-Civicgrid-Delivery"] for r in receiver.received]
    assert len(set(delivery_ids)) == CASES
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
