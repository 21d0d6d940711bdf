"""/api/supervision: the orders for other systems, in the OpenAPI schema."""

import pytest
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.cases import services as case_services
from civicgrid.cases.lifecycle import Action
from civicgrid.supervision import services
from civicgrid.supervision.models import Level, Order, OrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(new_case, dispatcher, bureau):
    case_services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    new_case.refresh_from_db()
    return new_case


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/supervision/orders" in paths
    assert "/api/supervision/cases/{number}/orders" in paths
    assert "/api/supervision/orders/{order_id}/response" in paths


def test_a_dispatcher_issues_and_the_unit_responds_through_the_api(
    client, case, dispatcher, handler, bureau
):
    made = client.post(
        f"/api/supervision/cases/{case.number}/orders",
        {"unit": bureau.code, "level": "supervision", "reason": "督办"},
        content_type="application/json",
        headers=bearer(dispatcher),
    )
    assert made.status_code == 201, made.content
    order = made.json()
    assert (order["level"], order["status"], order["automatic"]) == ("supervision", "open", False)
    listed = client.get("/api/supervision/orders?level=supervision", headers=bearer(dispatcher))
    assert [o["id"] for o in listed.json()] == [order["id"]]
    answered = client.post(
        f"/api/supervision/orders/{order['id']}/response",
        {"response": "已处理", "done_by": timezone.localdate().isoformat()},
        content_type="application/json",
        headers=bearer(handler),
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == OrderStatus.RESPONDED


def test_bad_input_through_the_api_is_a_clear_400_and_nothing_changes(
    client, case, dispatcher, bureau
):
    services.issue(case, bureau, Level.SUPERVISION, actor=dispatcher, reason="督办")
    response = client.post(
        f"/api/supervision/cases/{case.number}/orders",
        {"unit": bureau.code, "level": "urging", "reason": "催办"},
        content_type="application/json",
        headers=bearer(dispatcher),
    )
    assert response.status_code == 400
    assert "already has an order of this level or higher" in response.json()["message"]
    assert Order.objects.get().level == Level.SUPERVISION
