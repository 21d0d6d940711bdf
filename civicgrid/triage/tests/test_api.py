"""``GET /api/cases/{number}/suggestion``: the model's categories, the rules' department."""

from civicgrid.cases.tests.test_api import CASES, get


def test_the_suggestion_comes_from_the_routing_rules(new_case, dispatcher, bureau):
    response = get(dispatcher, f"{CASES}/{new_case.number}/suggestion")
    assert response.status_code == 200
    body = response.json()
    assert body["main_department"] == {"code": "CGJ", "name": bureau.name}
    assert body["co_departments"] == []
    # The model's view comes along: first-level categories the test world lacks are
    # left out, so only names of existing categories can appear.
    assert all(0 <= c["probability"] <= 1 for c in body["categories"])
    assert body["auto_dispatch"] is None
