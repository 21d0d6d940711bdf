"""The edges of the API: formats, methods, jurisdictions, tokens, CSRF."""

import json

import pytest
from django.test import Client

from civicgrid.cases.models import Case

from .conftest import BASE, JURISDICTION

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["services.html", "services.", "services", "requests.csv"])
def test_an_unknown_format_is_a_404(client, parking, path):
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    body = json.loads(response.content)
    assert body[0]["code"] == 404


def test_an_unknown_method_is_a_404_in_the_format_asked(client):
    response = client.get(f"{BASE}/reports.xml")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<errors><error><code>404</code>" in response.content


def test_a_wrong_http_method_is_a_405_that_says_which_are_allowed(client):
    response = client.delete(f"{BASE}/requests.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert json.loads(response.content)[0]["code"] == 405
    assert client.post(f"{BASE}/services.json").status_code == 405


@pytest.mark.parametrize(
    "path", ["discovery", "services", "services/0101", "requests", "servicerequestupdates"]
)
def test_every_method_checks_the_jurisdiction(client, parking, path):
    assert client.get(f"{BASE}/{path}.json", {"jurisdiction_id": JURISDICTION}).status_code == 200
    response = client.get(f"{BASE}/{path}.xml", {"jurisdiction_id": "city.gov"})
    assert response.status_code == 404
    assert b"jurisdiction_id city.gov" in response.content


def test_posts_need_no_csrf_token_the_api_key_is_the_proof(app_client, post_data):
    browserless = Client(enforce_csrf_checks=True)
    response = browserless.post(f"{BASE}/requests.json", data=post_data)
    assert response.status_code == 200
    assert Case.objects.count() == 1


def test_a_token_resolves_to_its_request(client, app_client, post_data):
    posted = json.loads(client.post(f"{BASE}/requests.json", data=post_data).content)[0]
    body = json.loads(client.get(f"{BASE}/tokens/{posted['token']}.json").content)
    assert body == [{"service_request_id": posted["service_request_id"], "token": posted["token"]}]
    response = client.get(f"{BASE}/tokens/unknown-token.xml")
    assert response.status_code == 404
    assert b"<code>404</code>" in response.content


def test_the_single_request_answers_under_the_swaggers_singular_path_too(
    client, app_client, post_data
):
    number = json.loads(client.post(f"{BASE}/requests.json", data=post_data).content)[0][
        "service_request_id"
    ]
    body = json.loads(client.get(f"{BASE}/request/{number}.json").content)
    assert body[0]["service_request_id"] == number


def test_a_renamed_service_shows_at_once(client, parking):
    parking.name = "违规停车"
    parking.save()
    services = json.loads(client.get(f"{BASE}/services.json").content)
    assert services[0]["service_name"] == "违规停车"  # no stale per-process copy
