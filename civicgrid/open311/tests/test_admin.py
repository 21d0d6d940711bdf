"""Client systems in the admin: the key is shown once, only its hash is kept."""

import json
import re

import pytest
from django.contrib.messages import get_messages

from civicgrid.accounts.models import Integration
from civicgrid.cases.tests import factories as f
from civicgrid.open311.models import ClientSystem

from .conftest import BASE

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _key_in(messages) -> str:
    return re.search(r"(o311_[\w-]+)", " ".join(messages)).group(1)


def test_adding_a_client_shows_its_key_once_and_stores_only_the_hash(
    client, admin_user, district, post_data
):
    account = f.make_integration_account(
        Integration.OPEN311, regions=[district["district"]], username="app"
    )
    client.force_login(admin_user)
    response = client.post(
        "/admin/open311/clientsystem/add/",
        {"name": "街道小程序", "user": account.pk, "active": "on"},
        follow=True,
    )
    key = _key_in(_messages(response))
    system = ClientSystem.objects.get(name="街道小程序")
    assert system.key_hash
    assert key not in system.key_hash
    assert system.prefix == key[:9]
    client.logout()
    answer = client.post(f"{BASE}/requests.json", data={**post_data, "api_key": key})
    assert answer.status_code == 200, answer.content
    assert json.loads(answer.content)[0]["service_request_id"]


def test_a_new_key_replaces_the_old_one(client, admin_user, app_client, post_data):
    client.force_login(admin_user)
    response = client.post(
        "/admin/open311/clientsystem/",
        {"action": "issue_new_key", "_selected_action": [app_client.pk]},
        follow=True,
    )
    new_key = _key_in(_messages(response))
    client.logout()
    assert client.post(f"{BASE}/requests.json", data=post_data).status_code == 403
    data = {**post_data, "api_key": new_key}
    assert client.post(f"{BASE}/requests.json", data=data).status_code == 200


def test_a_client_must_act_as_an_account_that_may_register_cases(client, admin_user, handler):
    client.force_login(admin_user)
    response = client.post(
        "/admin/open311/clientsystem/add/", {"name": "错误配置", "user": handler.pk}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "cannot register cases" in response.content.decode()
    assert not ClientSystem.objects.exists()
