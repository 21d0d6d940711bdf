"""Sources in the admin (secret for superusers only, rotation), deliveries, the demo, the client."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from civicgrid.accounts.models import Role
from civicgrid.alerts.client import post_alert
from civicgrid.alerts.models import AlertDelivery, AlertSource, DeliveryStatus, SourceKind
from civicgrid.cases.models import Case
from civicgrid.cases.tests import factories as f

from .conftest import SECRET, flood_payload, send, video_payload

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def staff(db):
    """An administrator who may manage sources but is no superuser."""
    user = f.make_user(Role.ADMIN, username="staff")
    user.is_staff = True
    user.save()
    codes = ["view_alertsource", "change_alertsource", "view_alertdelivery"]
    user.user_permissions.set(Permission.objects.filter(codename__in=codes))
    return user


def test_a_superuser_sees_the_secret_and_how_to_sign(client, admin_user, flood_source):
    client.force_login(admin_user)
    page = client.get(f"/admin/alerts/alertsource/{flood_source.pk}/change/").content.decode()
    assert SECRET in page
    assert "X-Civicgrid-Signature" in page
    assert "/alerts/flood/" in page


def test_other_staff_never_see_the_secret(client, staff, flood_source):
    client.force_login(staff)
    response = client.get(f"/admin/alerts/alertsource/{flood_source.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert SECRET not in page
    assert "Only superusers see the secret." in page
    assert "rotate_secret" not in client.get("/admin/alerts/alertsource/").content.decode()
    client.post(
        "/admin/alerts/alertsource/",
        {"action": "rotate_secret", "_selected_action": [flood_source.pk]},
    )
    flood_source.refresh_from_db()
    assert flood_source.secret == SECRET


def test_a_superuser_may_rotate_secrets(client, admin_user, flood_source):
    client.force_login(admin_user)
    assert "rotate_secret" in client.get("/admin/alerts/alertsource/").content.decode()


def test_a_new_source_gets_a_random_secret(client, admin_user, district, categories):
    client.force_login(admin_user)
    response = client.post(
        "/admin/alerts/alertsource/add/",
        {
            "name": "东城水位站网",
            "slug": "east-water",
            "kind": SourceKind.FLOOD,
            "active": "on",
            "region": district["district"].pk,
            "options": '{"threshold_m": 2.5, "categories": {"high_water": "0716"}}',
            "dedupe_window_minutes": 120,
            "dedupe_distance_m": 100,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    source = AlertSource.objects.get(slug="east-water")
    assert re.fullmatch(r"[0-9a-f]{64}", source.secret)
    assert (
        source.secret
        != AlertSource.objects.exclude(pk=source.pk).values_list("secret", flat=True).first()
    )


def test_options_naming_an_unknown_category_are_refused(client, admin_user, district, categories):
    client.force_login(admin_user)
    response = client.post(
        "/admin/alerts/alertsource/add/",
        {
            "name": "错误配置",
            "slug": "wrong",
            "kind": SourceKind.VIDEO,
            "region": district["district"].pk,
            "options": '{"categories": {"illegal_parking": "4242", "jaywalking": "0102"}}',
            "dedupe_window_minutes": 120,
            "dedupe_distance_m": 100,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is no category 4242." in page
    assert "Unknown alert type “jaywalking”" in page
    assert not AlertSource.objects.filter(slug="wrong").exists()


def test_rotating_the_secret_stops_the_old_one(client, admin_user, district, flood_source):
    client.force_login(admin_user)
    response = client.post(
        "/admin/alerts/alertsource/",
        {"action": "rotate_secret", "_selected_action": [flood_source.pk]},
        follow=True,
    )
    new = re.search(r"now: ([0-9a-f]{64})", _messages(response)).group(1)
    client.logout()
    assert send(client, flood_source, flood_payload(district)).status_code == 401
    assert send(client, flood_source, flood_payload(district), secret=new).status_code == 202


def test_the_retry_action_processes_a_failed_delivery(client, admin_user, district, flood_source):
    flood_source.options = {"categories": {"high_water": "9999"}}
    flood_source.save()
    send(client, flood_source, flood_payload(district))
    delivery = AlertDelivery.objects.get(status=DeliveryStatus.FAILED)
    flood_source.options = {}
    flood_source.save()
    client.force_login(admin_user)
    response = client.post(
        "/admin/alerts/alertdelivery/",
        {"action": "retry", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "Processed 1, rejected 0." in _messages(response)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.case is not None


def test_the_raw_body_with_its_plate_is_for_superusers_only(
    client, staff, admin_user, district, video_source
):
    send(client, video_source, video_payload(district))
    delivery = AlertDelivery.objects.get()
    url = f"/admin/alerts/alertdelivery/{delivery.pk}/change/"
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert delivery.delivery_id in page
    assert "鲁E12345" not in page
    client.force_login(admin_user)
    assert "鲁E12345" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_post_alert_signs_and_sends_over_http(live_server, district, flood_source):
    status, body = post_alert(live_server.url, "flood", SECRET, flood_payload(district))
    assert status == 202
    assert body["status"] == "processed"
    assert Case.objects.get(number=body["case"]).channel == "sensor"
    status, body = post_alert(live_server.url, "flood", "wrong", flood_payload(district))
    assert status == 401
    assert body["code"] == "unauthenticated"


def test_delivery_counts_say_how_many_duplicates_were_merged(client, district, flood_source):
    for level in (3.0, 3.1, 3.2):
        send(client, flood_source, flood_payload(district, level_m=level))
    counts = AlertDelivery.objects.counts()
    assert counts["processed"] == 1
    assert counts["merged"] == 2
