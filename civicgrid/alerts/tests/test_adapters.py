"""Each adapter's alert becomes a sensor case with its category, grid, urgency and evidence."""

import prcoords
import pytest

from civicgrid.alerts.events import ALERT_RECEIVED
from civicgrid.alerts.models import AlertDelivery, DeliveryStatus
from civicgrid.cases.models import Case, Channel
from civicgrid.cases.tests import factories as f
from civicgrid.routing.models import RequestType, Urgency

from .conftest import answer, fire_payload, flood_payload, send, video_payload

pytestmark = pytest.mark.django_db


def _case_page(client, user, case) -> str:
    client.force_login(user)
    return client.get(f"/cases/{case.number}/").content.decode()


def test_a_flood_over_its_threshold_opens_a_sensor_case_in_its_grid(
    client, district, flood_source, categories, dispatcher
):
    response = send(client, flood_source, flood_payload(district, level_m=3.1))
    assert response.status_code == 202, response.content
    body = answer(response)
    assert body["status"] == "processed"
    case = Case.objects.get(number=body["case"])
    assert case.channel == Channel.SENSOR
    assert case.category == categories["flood"]
    assert case.grid == district["grid11"]
    assert case.urgency == Urgency.SAME_DAY  # 0.3 m over: not yet urgent
    assert "胜利河闸站" in case.title
    assert "3.10 米" in case.content
    assert case.extra["evidence_url"] == "https://water.example.gov.cn/stations/SW-0012"
    page = _case_page(client, dispatcher, case)
    assert "sensor / platform alert" in page
    assert flood_source.name in page
    assert 'href="https://water.example.gov.cn/stations/SW-0012"' in page


def test_a_flood_half_a_metre_over_is_urgent(client, district, flood_source):
    body = answer(send(client, flood_source, flood_payload(district, level_m=3.3)))
    assert Case.objects.get(number=body["case"]).urgency == Urgency.URGENT


def test_a_level_below_its_threshold_is_recorded_but_opens_no_case(client, district, flood_source):
    response = send(client, flood_source, flood_payload(district, level_m=2.5))
    assert response.status_code == 202
    assert answer(response) == {
        "delivery": AlertDelivery.objects.get().pk,
        "case": None,
        "status": "processed",
    }
    delivery = AlertDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.external_id == "SW-0012"
    assert not Case.objects.exists()


def test_the_threshold_may_come_from_the_source(client, district, flood_source):
    flood_source.options = {**flood_source.options, "threshold_m": 3.5}
    flood_source.save()
    payload = flood_payload(district, level_m=3.2)
    del payload["threshold_m"]
    assert answer(send(client, flood_source, payload))["case"] is None
    assert answer(send(client, flood_source, {**payload, "level_m": 3.6}))["case"]


def test_a_fire_alarm_opens_an_urgent_case_with_its_photo_in_the_timeline(
    client, district, fire_source, categories, dispatcher
):
    body = answer(send(client, fire_source, fire_payload(district, level=2)))
    case = Case.objects.get(number=body["case"])
    assert case.channel == Channel.SENSOR
    assert case.category == categories["fire"]
    assert case.grid == district["grid12"]
    assert case.urgency == Urgency.URGENT
    assert case.address == "银座商城 府前大街59号"
    assert "烟感告警" in case.title
    page = _case_page(client, dispatcher, case)
    assert "https://fire.example.gov.cn/snap/A-0001.jpg" in page
    assert "二级（橙色）" in page


def test_a_level_four_fire_alert_is_normal(client, district, fire_source):
    body = answer(send(client, fire_source, fire_payload(district, level=4, kind="electrical")))
    assert Case.objects.get(number=body["case"]).urgency == Urgency.NORMAL


def test_a_parking_event_opens_a_case_and_keeps_the_plate_off_the_case(
    client, district, video_source, categories, dispatcher
):
    body = answer(send(client, video_source, video_payload(district)))
    case = Case.objects.get(number=body["case"])
    assert case.channel == Channel.SENSOR
    assert case.category == categories["street"]
    assert case.request_type == RequestType.COMPLAINT
    assert case.grid == district["grid21"]
    assert "违规停车" in case.title
    assert "12345" not in case.title + case.content + str(case.extra)
    register, received = case.events.order_by("id")
    assert register.public
    assert "12345" not in str(register.data)
    assert received.action == ALERT_RECEIVED
    assert not received.public
    page = _case_page(client, dispatcher, case)
    assert "鲁E***45" in page  # masked, for staff
    assert "鲁E12345" not in page
    assert "https://video.example.gov.cn/CAM-231/0001.jpg" in page


def test_a_street_vending_event_needs_no_plate(client, district, video_source):
    payload = video_payload(district, event_type="street_vending", plate="")
    body = answer(send(client, video_source, payload))
    assert "占道经营" in Case.objects.get(number=body["case"]).title


def test_a_position_in_gcj02_is_stored_in_wgs84(client, district, video_source):
    lng, lat = f.point_in(district["grid22"])
    shifted = prcoords.wgs_gcj(prcoords.Coords(lat, lng), False)
    payload = video_payload(district, lng=shifted.lon, lat=shifted.lat, datum="gcj02")
    case = Case.objects.get(number=answer(send(client, video_source, payload))["case"])
    assert case.input_datum == "gcj02"
    assert case.lng == pytest.approx(lng, abs=1e-6)
    assert case.lat == pytest.approx(lat, abs=1e-6)
    assert case.grid == district["grid22"]


def test_a_source_without_categories_still_opens_a_case_for_triage(client, district, video_source):
    video_source.options = {}
    video_source.save()
    case = Case.objects.get(
        number=answer(send(client, video_source, video_payload(district)))["case"]
    )
    assert case.category is None
    assert case.status == "registered"
