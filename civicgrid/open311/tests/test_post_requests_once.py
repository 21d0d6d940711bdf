"""POST requests with an Idempotency-Key: one transaction, a retry files nothing twice."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civicgrid.cases.models import Case, IntakeKey
from civicgrid.open311 import services
from civicgrid.open311.models import ServiceRequest

from .conftest import BASE


def post(data, key=""):
    headers = {"Idempotency-Key": key} if key else {}
    response = Client().post(f"{BASE}/requests.json", data=data, headers=headers)
    return response, json.loads(response.content)


@pytest.mark.django_db
def test_a_retry_under_the_same_key_answers_with_the_first_request(app_client, post_data):
    first, body = post(post_data, key="app-report-0001")
    again, same = post(post_data, key="app-report-0001")
    assert (first.status_code, again.status_code) == (200, 200)
    assert same[0]["service_request_id"] == body[0]["service_request_id"]
    assert same[0]["token"] == body[0]["token"]
    assert Case.objects.count() == ServiceRequest.objects.count() == 1
    other, _body = post(post_data, key="app-report-0002")
    assert other.status_code == 200
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_keys_of_two_client_systems_do_not_meet(app_client, portal_client, post_data):
    from .conftest import OTHER_KEY

    post(post_data, key="shared-key-0001")
    post({**post_data, "api_key": OTHER_KEY}, key="shared-key-0001")
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_malformed_key_is_a_400_naming_the_header(app_client, post_data):
    response, body = post(post_data, key="short")
    assert response.status_code == 400
    assert body[0]["description"].startswith("Idempotency-Key")
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_crash_before_the_open311_row_leaves_no_case_and_the_retry_files_one(
    app_client, post_data, monkeypatch
):
    def crash(_size):
        raise RuntimeError("the worker dies between the case and its Open311 row")

    monkeypatch.setattr(services.secrets, "token_urlsafe", crash)
    with pytest.raises(RuntimeError):
        Client(raise_request_exception=True).post(
            f"{BASE}/requests.json", data=post_data, headers={"Idempotency-Key": "crash-0001"}
        )
    assert not Case.objects.exists()
    assert not IntakeKey.objects.exists()
    monkeypatch.undo()
    retry, body = post(post_data, key="crash-0001")
    again, same = post(post_data, key="crash-0001")
    assert (retry.status_code, again.status_code) == (200, 200)
    assert same[0]["service_request_id"] == body[0]["service_request_id"]
    case = Case.objects.get()
    assert case.open311.token == body[0]["token"]


@pytest.mark.django_db
def test_a_rotated_key_stops_working_at_once(client, app_client, post_data):
    assert post(post_data)[0].status_code == 200
    services.rotate_key(app_client)
    assert post(post_data)[0].status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_warm_open311_post_is_one_statement_on_postgresql(app_client, post_data, warm_snapshots):
    """Case, event, Open311 row and key in one statement (cases.writing): no BEGIN, no
    COMMIT, no round trip per row."""
    assert post(post_data, key="warm-o311-0001")[0].status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response, body = post(post_data, key="warm-o311-0002")
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert len(statements) == 1, "\n".join(statements)
    case = Case.objects.get(number=body[0]["service_request_id"])
    assert case.open311.token == body[0]["token"]
    assert case.events.filter(action="register").count() == 1
    assert IntakeKey.objects.get(key="warm-o311-0002").case == case
