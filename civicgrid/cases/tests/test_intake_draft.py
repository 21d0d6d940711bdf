"""A call typed while the session ran out is kept through the sign-in (#10 defect 11)."""

from django.contrib.sessions.models import Session
from django.urls import reverse

from civicgrid.cases.models import Case
from civicgrid.cases.tests.test_views import intake_data


def sign_in(client, username="operator"):
    response = client.post(
        reverse("accounts:login"),
        {"username": username, "password": "pw-for-tests", "next": reverse("cases:intake")},
    )
    assert response.status_code == 302
    return response["Location"]


def test_a_call_sent_after_the_session_expired_is_back_in_the_form_after_signing_in(
    client, operator, district, category
):
    client.force_login(operator)
    Session.objects.all().delete()  # the session runs out while the operator types
    sent = client.post(reverse("cases:intake"), intake_data(district, category))
    assert sent["Location"].startswith(reverse("accounts:login"))
    assert not Case.objects.exists()

    assert sign_in(client) == reverse("cases:intake")
    html = client.get(reverse("cases:intake")).content.decode()
    assert "You had been signed out" in html
    assert "人民路口的井盖丢了，很危险。" in html
    assert 'value="13900001111"' in html

    # Shown once: registering it (or leaving the page) leaves no draft behind.
    assert "人民路口的井盖丢了" not in client.get(reverse("cases:intake")).content.decode()
    assert client.post(reverse("cases:intake"), intake_data(district, category)).status_code == 302
    assert Case.objects.count() == 1


def test_a_signed_in_operator_has_no_draft(client, operator, district, category):
    client.force_login(operator)
    html = client.get(reverse("cases:intake")).content.decode()
    assert "You had been signed out" not in html
