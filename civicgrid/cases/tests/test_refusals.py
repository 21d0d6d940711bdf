"""One table from a refusal to its HTTP status: a page and the API answer alike."""

import json

import pytest
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import ApiToken
from civicgrid.cases import lifecycle, services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.refusals import status_for
from civicgrid.core.api import InvalidInput, error_code

pytestmark = pytest.mark.django_db


def _api_act(user, case, action, body=None) -> tuple[int, str]:
    _token, raw = ApiToken.issue(user, "tests")
    response = Client().post(
        f"/api/cases/{case.number}/actions/{action}",
        json.dumps(body or {}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    return response.status_code, response.json()["code"]


def _page_act(user, case, action, data=None) -> int:
    client = Client()
    client.force_login(user)
    return client.post(reverse("cases:act", args=[case.number, action]), data or {}).status_code


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        (lifecycle.InvalidAction("x"), 400),
        (lifecycle.ActionRefused("x"), 403),
        (lifecycle.TransitionNotAllowed("x"), 409),
        (lifecycle.ConcurrentUpdate("x"), 409),
    ],
)
def test_a_lifecycle_refusal_is_answered_alike_by_the_page_and_the_api(
    refusal, status, new_case, dispatcher, bureau, monkeypatch
):
    def refuse(*args, **kwargs):
        raise refusal

    monkeypatch.setattr(services, "act", refuse)
    page = {"dispatch-main_department": bureau.pk}
    assert _page_act(dispatcher, new_case, Action.DISPATCH, page) == status
    api = {"main_department": bureau.code}
    assert _api_act(dispatcher, new_case, Action.DISPATCH, api) == (status, refusal.code)


def test_a_move_outside_the_table_is_a_conflict_through_both_doors(new_case, operator):
    assert _page_act(operator, new_case, Action.CLOSE) == 409
    assert _api_act(operator, new_case, Action.CLOSE) == (409, "transition_not_allowed")


def test_django_refusals_have_their_usual_status_and_code():
    answers = {
        PermissionDenied(): (403, "forbidden"),
        Http404(): (404, "not_found"),
        ValidationError("x"): (400, "invalid"),
        InvalidInput("field", "x"): (400, "invalid"),
        RequestDataTooBig(): (413, "too_large"),
    }
    for refusal, (status, code) in answers.items():
        assert status_for(refusal) == status, refusal
        assert error_code(status) == code
