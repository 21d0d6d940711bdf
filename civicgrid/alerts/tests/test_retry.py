"""Nothing accepted is dropped: a stored delivery is processed later, exactly once."""

import pytest
from django.core.management import call_command

from civicgrid.alerts import services
from civicgrid.alerts.client import encode
from civicgrid.alerts.models import AlertDelivery, DeliveryStatus
from civicgrid.cases.models import Case

from .conftest import answer, flood_payload, send

pytestmark = pytest.mark.django_db


def _retry(capsys) -> str:
    call_command("process_alerts", older_than=0, no_progress=True)
    return capsys.readouterr().out


def test_a_stored_but_unprocessed_delivery_is_processed_once_by_the_command(
    district, flood_source, capsys
):
    # Stored, then the process died before processing it.
    delivery = services.store(flood_source, "d-1", encode(flood_payload(district)))
    assert "1 pending deliveries: processed 1" in _retry(capsys)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.case == Case.objects.get()
    assert "0 pending deliveries" in _retry(capsys)
    assert Case.objects.count() == 1


def test_processing_a_delivery_twice_changes_nothing_the_second_time(district, flood_source):
    delivery = services.store(flood_source, "d-1", encode(flood_payload(district)))
    first = services.process(delivery.pk)
    again = services.process(delivery.pk)
    assert again.status == first.status == DeliveryStatus.PROCESSED
    assert again.processed_at == first.processed_at
    assert Case.objects.count() == 1


def test_a_failed_delivery_is_accepted_kept_and_processed_after_the_source_is_fixed(
    client, district, flood_source, capsys
):
    flood_source.options = {"categories": {"high_water": "9999"}}  # no such category
    flood_source.save()
    response = send(client, flood_source, flood_payload(district))
    assert response.status_code == 202
    assert answer(response)["status"] == "received"
    delivery = AlertDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert "9999" in delivery.error
    assert not Case.objects.exists()

    flood_source.options = {"categories": {"high_water": "0716"}}
    flood_source.save()
    assert "processed 1" in _retry(capsys)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.case.category.code == "0716"


def test_the_command_gives_up_after_the_maximum_attempts(district, flood_source, capsys):
    delivery = services.store(flood_source, "d-1", encode(flood_payload(district)))
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=services.MAX_ATTEMPTS
    )
    assert "0 pending deliveries" in _retry(capsys)
    assert not Case.objects.exists()


def test_fresh_deliveries_are_left_to_the_request_that_stored_them(district, flood_source, capsys):
    services.store(flood_source, "d-1", encode(flood_payload(district)))
    call_command("process_alerts", no_progress=True)  # default: older than 30 s
    assert "0 pending deliveries" in capsys.readouterr().out
    assert AlertDelivery.objects.get().status == DeliveryStatus.RECEIVED


def test_a_rejected_delivery_is_not_retried(district, flood_source, capsys):
    delivery = services.store(flood_source, "d-1", b'{"station_id": 1')
    assert "rejected 1" in _retry(capsys)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REJECTED
    assert "0 pending deliveries" in _retry(capsys)
