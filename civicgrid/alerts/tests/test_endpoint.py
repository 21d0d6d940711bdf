"""What the endpoint refuses, and how: signature, replay, size, bad payloads, region."""

import time

import pytest
from shapely.geometry import box, mapping

from civicgrid.alerts.client import encode, signed_headers
from civicgrid.alerts.models import AlertDelivery, AlertRefusal, DeliveryStatus, RefusalReason
from civicgrid.cases.models import Case
from civicgrid.cases.tests import factories as f
from civicgrid.core import signing

from .conftest import answer, flood_payload, send, video_payload

pytestmark = pytest.mark.django_db


def _refused(reason: str) -> bool:
    return AlertRefusal.objects.filter(reason=reason).exists()


def test_a_wrong_signature_is_refused_logged_and_nothing_stored(
    client, district, flood_source, caplog
):
    response = send(client, flood_source, flood_payload(district), secret="not-the-secret")
    assert response.status_code == 401
    assert answer(response)["code"] == "unauthenticated"
    assert "signature" in answer(response)["message"]
    assert not AlertDelivery.objects.exists()
    assert not Case.objects.exists()
    assert _refused(RefusalReason.BAD_SIGNATURE)
    assert "alert refused: bad_signature" in caplog.text


def test_a_missing_signature_is_refused(client, district, flood_source):
    response = send(
        client, flood_source, flood_payload(district), headers={"X-Civicgrid-Signature": ""}
    )
    assert response.status_code == 401
    assert not AlertDelivery.objects.exists()


def test_a_signature_of_another_body_is_refused(client, district, flood_source):
    body = encode(flood_payload(district))
    headers = signed_headers("test-secret-of-the-platform", body, "d-1")
    tampered = body.replace(b'"level_m":3.1', b'"level_m":9.9')
    response = send(
        client,
        flood_source,
        body=tampered,
        headers={"X-Civicgrid-Signature": headers["X-Civicgrid-Signature"]},
        timestamp=int(headers["X-Civicgrid-Timestamp"]),
    )
    assert response.status_code == 401
    assert not Case.objects.exists()


def test_a_signed_body_sent_again_under_another_delivery_id_is_refused(
    client, district, flood_source
):
    body = encode(flood_payload(district))
    headers = signed_headers("test-secret-of-the-platform", body, "d-1")
    response = send(
        client,
        flood_source,
        body=body,
        headers={
            "X-Civicgrid-Signature": headers["X-Civicgrid-Signature"],
            "X-Civicgrid-Delivery": "d-2",
        },
        timestamp=int(headers["X-Civicgrid-Timestamp"]),
    )
    assert response.status_code == 401
    assert "signature" in answer(response)["message"]
    assert not AlertDelivery.objects.exists()


@pytest.mark.parametrize("offset", [-330, 330])
def test_a_timestamp_more_than_five_minutes_off_is_refused_as_a_replay(
    client, district, flood_source, offset
):
    response = send(
        client, flood_source, flood_payload(district), timestamp=int(time.time()) + offset
    )
    assert response.status_code == 401
    assert "5 minutes" in answer(response)["message"]
    assert not AlertDelivery.objects.exists()
    assert _refused(RefusalReason.STALE)


def test_a_delivery_id_seen_before_is_refused_as_a_replay(client, district, flood_source):
    payload = flood_payload(district)
    assert send(client, flood_source, payload, delivery_id="d-42").status_code == 202
    again = send(client, flood_source, {**payload, "level_m": 3.9}, delivery_id="d-42")
    assert again.status_code == 409
    assert answer(again)["code"] == "conflict"
    assert AlertDelivery.objects.count() == 1
    assert Case.objects.get().extra["alert_repeats"] == 0
    assert _refused(RefusalReason.REPLAYED)


def test_the_same_body_under_a_new_delivery_id_only_counts_as_a_repeat(
    client, district, flood_source
):
    body = encode(flood_payload(district))
    stamp = int(time.time())
    send(client, flood_source, body=body, delivery_id="a", timestamp=stamp)
    again = send(client, flood_source, body=body, delivery_id="b", timestamp=stamp)
    assert again.status_code == 202
    assert answer(again)["status"] == "merged"
    assert Case.objects.get().extra["alert_repeats"] == 1


def test_a_delivery_needs_an_id(client, district, flood_source):
    response = send(
        client, flood_source, flood_payload(district), headers={"X-Civicgrid-Delivery": ""}
    )
    assert response.status_code == 400
    assert "X-Civicgrid-Delivery" in answer(response)["message"]
    assert not AlertDelivery.objects.exists()


def test_an_unknown_or_inactive_source_is_not_found(client, district, flood_source):
    assert send(client, flood_source, flood_payload(district), slug="nope").status_code == 404
    flood_source.active = False
    flood_source.save()
    response = send(client, flood_source, flood_payload(district))
    assert response.status_code == 404
    assert answer(response)["code"] == "not_found"
    assert AlertRefusal.objects.filter(reason=RefusalReason.UNKNOWN_SOURCE).count() == 2
    assert not AlertDelivery.objects.exists()


def test_a_body_over_256_kb_is_refused(client, district, flood_source):
    payload = flood_payload(district, padding="水" * 90_000)  # 270 kB of UTF-8
    response = send(client, flood_source, payload)
    assert response.status_code == 413
    assert answer(response)["code"] == "too_large"
    assert not AlertDelivery.objects.exists()


def test_only_post_is_taken(client, flood_source):
    response = client.get(f"/alerts/{flood_source.slug}/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_malformed_json_is_a_400_and_the_delivery_is_kept_as_rejected(
    client, district, flood_source
):
    response = send(client, flood_source, body=b'{"station_id": "SW-0012",')
    assert response.status_code == 400
    body = answer(response)
    assert body["code"] == "invalid"
    assert body["errors"][0]["field"] == "body"
    delivery = AlertDelivery.objects.get()
    assert delivery.status == DeliveryStatus.REJECTED
    assert "JSON" in delivery.error
    assert body["delivery"] == delivery.pk


def test_a_missing_field_is_named_in_the_400(client, district, flood_source):
    payload = flood_payload(district)
    del payload["level_m"]
    response = send(client, flood_source, {**payload, "lat": 123})
    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in answer(response)["errors"]}
    assert errors["level_m"] == "This field is required."
    assert "lat" in errors
    assert AlertDelivery.objects.get().status == DeliveryStatus.REJECTED
    assert not Case.objects.exists()


def test_a_json_array_is_not_an_alert(client, flood_source):
    response = send(client, flood_source, body=b"[1, 2]")
    assert response.status_code == 400
    assert answer(response)["errors"] == [{"field": "body", "message": "Send one JSON object."}]


def test_an_evidence_link_must_be_a_web_address(client, district, video_source):
    payload = video_payload(district, snapshot_url="javascript:alert(1)")
    response = send(client, video_source, payload)
    assert response.status_code == 400
    assert answer(response)["errors"][0]["field"] == "snapshot_url"


def test_an_observation_in_the_future_is_refused(client, district, video_source):
    payload = video_payload(district, observed_at="2099-01-01T00:00:00+08:00")
    response = send(client, video_source, payload)
    assert response.status_code == 400
    assert "device clock" in answer(response)["message"]


def test_an_alert_outside_the_source_region_is_rejected_with_the_reason(
    client, district, other_district, video_source
):
    lng, lat = f.point_in(other_district["grid11"])
    response = send(client, video_source, video_payload(district, lng=lng, lat=lat))
    assert response.status_code == 400
    message = answer(response)["message"]
    assert "outside 测试区" in message
    delivery = AlertDelivery.objects.get()
    assert delivery.status == DeliveryStatus.REJECTED
    assert "outside 测试区" in delivery.error
    assert not Case.objects.exists()


def test_a_point_between_grids_inside_the_region_waits_for_placement(
    client, district, video_source
):
    grid = district["grid11"]
    around = box(grid.centroid_lng - 0.1, f.Y0 - 0.1, grid.centroid_lng + 0.1, f.Y0 + 0.1)
    district["district"].boundary = mapping(around)
    district["district"].save()
    # Just south of the grids, inside the district's (enlarged) boundary.
    payload = video_payload(district, lng=grid.centroid_lng, lat=f.Y0 - 0.005)
    case = Case.objects.get(number=answer(send(client, video_source, payload))["case"])
    assert case.needs_placement
    assert case.grid is None


@pytest.mark.parametrize(
    "observed_at",
    [
        "2026-11-22T09:15:00+20:00",
        "2026-11-22T09:15:00-16:00",
        "0001-01-01T00:00:00+08:00",
        "1999-12-31T23:59:59+08:00",
        "3000-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59-08:00",
    ],
)
def test_an_impossible_observation_time_is_a_400_naming_it_and_never_retried(
    client, district, flood_source, observed_at
):
    response = send(client, flood_source, flood_payload(district, observed_at=observed_at))
    assert response.status_code == 400
    assert answer(response)["errors"][0]["field"] == "observed_at"
    assert AlertDelivery.objects.get().status == DeliveryStatus.REJECTED
    assert not Case.objects.exists()


def test_deeply_nested_json_is_a_400_and_never_retried(client, district, flood_source):
    payload = flood_payload(district)
    nested = "[" * 3000 + "]" * 3000
    body = encode(payload)[:-1] + b', "extra": ' + nested.encode() + b"}"
    response = send(client, flood_source, body=body)
    assert response.status_code == 400
    assert answer(response)["errors"][0]["field"] == "body"
    assert AlertDelivery.objects.get().status == DeliveryStatus.REJECTED
    assert not Case.objects.exists()


def test_the_endpoint_accepts_exactly_what_the_shared_signing_recipe_accepts(
    client, district, flood_source
):
    # Alerts and department webhooks share one recipe (core.signing): an upper-case
    # digest (openssl may print one) is the same signature, a timestamp six minutes old
    # is a replay on both sides.
    body = encode(flood_payload(district))
    now = int(time.time())
    headers = signing.signed_headers(flood_source.secret, body, "d-up", now=now)
    upper = headers["X-Civicgrid-Signature"].upper().replace("SHA256=", "sha256=")
    assert signing.verify(flood_source.secret, str(now), "d-up", body, upper)
    accepted = send(
        client,
        flood_source,
        body=body,
        delivery_id="d-up",
        timestamp=now,
        headers={"X-Civicgrid-Signature": upper},
    )
    assert accepted.status_code == 202, accepted.content

    old = now - 6 * 60
    stale = signing.signed_headers(flood_source.secret, body, "d-old", now=old)
    assert not signing.verify(
        flood_source.secret, str(old), "d-old", body, stale["X-Civicgrid-Signature"]
    )
    refused = send(client, flood_source, body=body, delivery_id="d-old", timestamp=old)
    assert refused.status_code == 401
    assert _refused(RefusalReason.STALE)
