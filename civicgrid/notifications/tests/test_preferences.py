"""Each person chooses their channels on a page of their own; the admin sets up webhooks."""

import re

from django.urls import reverse

from civicgrid.notifications.models import DepartmentWebhook, NotificationPreference

URL = reverse("notifications:preferences")


def test_the_header_links_to_the_settings(client, handler):
    client.force_login(handler)
    assert f'href="{URL}"' in client.get(reverse("notifications:list")).content.decode()


def test_the_page_shows_the_masked_phone_and_the_email(client, handler):
    handler.email, handler.phone = "wang@cgj.example.gov.cn", "13900001111"
    handler.save()
    client.force_login(handler)
    html = client.get(URL).content.decode()
    assert "139****1111" in html
    assert "13900001111" not in html
    assert "wang@cgj.example.gov.cn" in html


def test_choosing_channels_is_saved(client, handler):
    handler.email, handler.phone = "wang@cgj.example.gov.cn", "13900001111"
    handler.save()
    client.force_login(handler)
    response = client.post(URL, {"by_email": "on", "by_sms": "on"}, follow=True)
    assert "Your notification settings are saved." in response.content.decode()
    preference = NotificationPreference.objects.get(user=handler)
    assert (preference.by_email, preference.by_sms) == (True, True)
    client.post(URL, {"by_email": "on"})
    preference.refresh_from_db()
    assert (preference.by_email, preference.by_sms) == (True, False)
    html = client.get(URL).content.decode()
    assert re.search(r'name="by_email"[^>]* checked', html)
    assert not re.search(r'name="by_sms"[^>]* checked', html)


def test_sms_without_a_phone_is_refused_with_a_reason_and_nothing_saved(client, handler):
    client.force_login(handler)
    response = client.post(URL, {"by_sms": "on"})
    assert response.status_code == 400
    assert "Your account has no phone number" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=handler).exists()


def test_the_page_needs_a_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_admin_keeps_a_webhooks_chosen_actions_and_refuses_other_schemes(admin_client, bureau):
    add = reverse("admin:notifications_departmentwebhook_add")
    refused = admin_client.post(
        add, {"department": bureau.pk, "url": "ftp://cgj.example/hook", "secret": "x" * 20}
    )
    assert refused.status_code == 200
    assert not DepartmentWebhook.objects.exists()
    admin_client.post(
        add,
        {
            "department": bureau.pk,
            "url": "https://oa.cgj.example.gov.cn/civicgrid",
            "secret": "x" * 20,
            "actions": ["dispatch", "urge"],
            "active": "on",
        },
    )
    hook = DepartmentWebhook.objects.get()
    assert hook.actions == ["dispatch", "urge"]
    assert hook.wants("urge")
    assert not hook.wants("reply")
