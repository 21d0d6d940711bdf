"""Repeated alerts about the same thing update one open case instead of opening new ones."""

import threading

import pytest
from django.db import connection

from civicgrid.alerts import services
from civicgrid.alerts.client import encode
from civicgrid.alerts.events import ALERT_REPEATED
from civicgrid.alerts.models import AlertDelivery, DeliveryStatus
from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, Status
from civicgrid.cases.tests import factories as f
from civicgrid.routing.models import Urgency

from .conftest import answer, fire_payload, flood_payload, observed, send, video_payload

pytestmark = pytest.mark.django_db

METRE = 1 / 111_320  # of latitude, in degrees


def test_a_repeated_alert_with_the_same_id_updates_the_one_open_case(
    client, district, flood_source, dispatcher
):
    first = answer(send(client, flood_source, flood_payload(district, level_m=3.0)))
    second = send(
        client, flood_source, flood_payload(district, level_m=3.05, observed_at=observed(1))
    )
    third = answer(send(client, flood_source, flood_payload(district, level_m=3.1)))
    assert answer(second)["status"] == "merged"
    assert answer(second)["case"] == first["case"] == third["case"]
    case = Case.objects.get()
    assert case.extra["alert_repeats"] == 2
    assert case.events.filter(action=ALERT_REPEATED).count() == 2
    assert AlertDelivery.objects.counts()["merged"] == 2
    dispatcher_page = _page(client, dispatcher, case)
    assert "Alert repeated" in dispatcher_page
    assert "repeats so far" in dispatcher_page


def _page(client, user, case) -> str:
    client.force_login(user)
    return client.get(f"/cases/{case.number}/").content.decode()


def test_a_worse_reading_raises_the_urgency_and_the_step_deadline(client, district, flood_source):
    send(client, flood_source, flood_payload(district, level_m=3.0))
    case = Case.objects.get()
    assert case.urgency == Urgency.SAME_DAY
    send(client, flood_source, flood_payload(district, level_m=3.6))
    raised = Case.objects.get()
    assert raised.urgency == Urgency.URGENT
    assert raised.due_at < case.due_at
    assert raised.version == case.version + 1
    event = raised.events.get(action=ALERT_REPEATED)
    assert event.data["urgency_raised"] == Urgency.URGENT


def test_a_better_reading_leaves_the_urgency_alone(client, district, flood_source):
    send(client, flood_source, flood_payload(district, level_m=3.6))
    send(client, flood_source, flood_payload(district, level_m=3.0))
    assert Case.objects.get().urgency == Urgency.URGENT


def test_alerts_of_the_same_type_and_place_within_the_window_join_one_case(
    client, district, fire_source
):
    first = fire_payload(district, alert_id="A-1", observed_at=observed(60))
    lat = first["lat"] + 40 * METRE
    second = fire_payload(district, alert_id="A-2", lat=lat, observed_at=observed(5))
    assert answer(send(client, fire_source, first))["status"] == "processed"
    assert answer(send(client, fire_source, second))["status"] == "merged"
    assert Case.objects.count() == 1


def test_an_alert_outside_the_window_opens_a_new_case(client, district, fire_source):
    send(client, fire_source, fire_payload(district, alert_id="A-1", observed_at=observed(180)))
    late = answer(send(client, fire_source, fire_payload(district, alert_id="A-2")))
    assert late["status"] == "processed"
    assert Case.objects.count() == 2


def test_an_alert_beyond_the_distance_opens_a_new_case(client, district, fire_source):
    first = fire_payload(district, alert_id="A-1")
    send(client, fire_source, first)
    far = fire_payload(district, alert_id="A-2", lat=first["lat"] + 150 * METRE)
    assert answer(send(client, fire_source, far))["status"] == "processed"
    assert Case.objects.count() == 2


def test_another_alert_type_at_the_same_place_is_another_case(client, district, video_source):
    send(client, video_source, video_payload(district, event_id="E-1"))
    vending = video_payload(district, event_id="E-2", event_type="street_vending", plate="")
    assert answer(send(client, video_source, vending))["status"] == "processed"
    assert Case.objects.count() == 2


def test_after_the_case_is_closed_the_next_alert_opens_a_new_case(
    client, district, flood_source, dispatcher
):
    first = Case.objects.get(
        number=answer(send(client, flood_source, flood_payload(district)))["case"]
    )
    lifecycle.apply(first, Action.ANSWER_DIRECTLY, actor=dispatcher, note="已安排抽排，水位回落。")
    again = answer(send(client, flood_source, flood_payload(district, observed_at=observed(1))))
    assert again["status"] == "processed"
    assert again["case"] != first.number
    assert Case.objects.filter(status=Status.REGISTERED).count() == 1


def test_a_repeat_follows_its_case_into_the_case_it_was_merged_into(
    client, district, video_source, operator, dispatcher, category
):
    citizens = f.make_case(actor=operator, grid=district["grid21"], category=category)
    alert_case = Case.objects.get(
        number=answer(send(client, video_source, video_payload(district)))["case"]
    )
    lifecycle.apply(
        alert_case, Action.MERGE, actor=dispatcher, note="同一处违停", into=citizens.number
    )
    repeat = answer(send(client, video_source, video_payload(district, observed_at=observed(1))))
    assert repeat == {**repeat, "status": "merged", "case": citizens.number}
    citizens.refresh_from_db()
    assert citizens.extra["alert_repeats"] == 1


# --- two identical alerts at the same moment -----------------------------------------


def _store(source, payload, delivery_id):
    return services.store(source, delivery_id, encode(payload))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same", ["id", "place"])
def test_two_identical_alerts_at_the_same_moment_end_in_one_case(district, fire_source, same):
    payloads = [fire_payload(district), fire_payload(district)]
    if same == "place":
        payloads[1]["alert_id"] = "A-other"
    deliveries = [_store(fire_source, p, f"d-{i}") for i, p in enumerate(payloads)]
    barrier = threading.Barrier(2)
    statuses: list[str] = []

    def race(delivery):
        try:
            barrier.wait()
            statuses.append(services.process(delivery.pk).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(d,)) for d in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [DeliveryStatus.MERGED, DeliveryStatus.PROCESSED]
    assert Case.objects.count() == 1
    assert Case.objects.get().extra["alert_repeats"] == 1
