"""/api/fieldwork: visits, the board, must-attend tasks and centre tasks."""

import pytest
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import Visit

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("visits", "board", "must-attend", "tasks"):
        assert f"/api/fieldwork/{path}" in paths


def test_a_visit_sent_twice_with_its_key_is_recorded_once(client, household, grid_worker):
    body = {"household": household.pk, "found": "一切正常", "idempotency_key": "api-key-0001"}
    headers = bearer(grid_worker)
    first = client.post(
        "/api/fieldwork/visits", body, content_type="application/json", headers=headers
    )
    again = client.post(
        "/api/fieldwork/visits", body, content_type="application/json", headers=headers
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert "contact" not in first.text
    assert "1391" not in first.text


def test_a_visit_to_a_household_outside_the_callers_grids_is_refused(
    client, far_household, grid_worker
):
    answer = client.post(
        "/api/fieldwork/visits",
        {"household": far_household.pk, "found": "x"},
        content_type="application/json",
        headers=bearer(grid_worker),
    )
    assert answer.status_code == 403
    assert not Visit.objects.exists()


def test_a_second_visit_in_a_month_is_refused_with_the_reason(client, household, grid_worker):
    services.record_visit(household, actor=grid_worker, found="好")
    answer = client.post(
        "/api/fieldwork/visits",
        {"household": household.pk, "found": "又来"},
        content_type="application/json",
        headers=bearer(grid_worker),
    )
    assert answer.status_code == 400
    assert "already visited" in answer.text


def test_the_board_and_the_open_visits_are_listed(client, household, leader, grid_worker):
    services.generate_due_visits(timezone.localdate())
    visits = client.get("/api/fieldwork/visits?open=true", headers=bearer(grid_worker)).json()
    assert [v["door"] for v in visits] == ["3-2-401"]
    board = client.get("/api/fieldwork/board", headers=bearer(leader)).json()
    assert board["total"]["due"] == 1
    assert board["total"]["overdue"] == 0
    bad = client.get("/api/fieldwork/board?month=2026-13", headers=bearer(leader))
    assert bad.status_code == 400


def test_someone_outside_sees_no_visits(client, household, outsider):
    services.generate_due_visits(timezone.localdate())
    assert client.get("/api/fieldwork/visits", headers=bearer(outsider)).json() == []
