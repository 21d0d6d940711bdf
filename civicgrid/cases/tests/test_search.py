"""The case list page and ``GET /api/cases`` share one filter: same filters, same cases."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.cases import services
from civicgrid.cases.models import Case, Channel
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"\b\d{8}-\d{5}\b")


@pytest.fixture
def cases(operator, dispatcher, district, category, bureau):
    child = f.make_category("垃圾清运", code="0101", parent=category)
    made = {
        "lamp": f.make_case(actor=operator, grid=district["grid11"], title="路灯不亮"),
        "bins": f.make_case(actor=operator, grid=district["grid12"], category=child, title="垃圾"),
        "drain": f.make_case(
            actor=operator,
            grid=district["grid21"],
            category=category,
            channel=Channel.GRID_PATROL,
            title="井盖缺失",
        ),
        "unplaced": f.make_case(actor=operator, category=category, title="位置不明的路面坑洼"),
    }
    # Unplaced: no grid, but its centre (the district) owns it.
    Case.objects.filter(pk=made["unplaced"].pk).update(
        owner_region=district["district"], owner_path=district["district"].path
    )
    services.act(made["lamp"], "dispatch", actor=dispatcher, main_department=bureau)
    services.act(made["bins"], "answer_directly", actor=dispatcher, answer="已答复")
    Case.objects.filter(pk=made["drain"].pk).update(due_at=timezone.now() - timedelta(hours=1))
    return made


def _page(user, **params) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:list"), params)
    assert response.status_code == 200
    return set(NUMBER.findall(response.content.decode()))


def _api(user, **params) -> set[str]:
    _token, raw = ApiToken.issue(user, "tests")
    response = Client().get("/api/cases", params, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["items"]}


def test_the_page_and_the_api_list_the_same_cases_for_the_same_filters(
    cases, leader, district, category
):
    lamp_number_part = cases["lamp"].number[-5:]
    same = [
        ({}, {}),
        ({"group": "open"}, {"status_group": "open"}),
        ({"group": "closed"}, {"status_group": "closed"}),
        ({"status": "dispatched"}, {"status": "dispatched"}),
        ({"light": "red"}, {"light": "red"}),
        ({"light": "none"}, {"light": "none"}),
        ({"category": category.pk}, {"category": category.code}),
        ({"channel": "grid_patrol"}, {"channel": "grid_patrol"}),
        ({"region": district["district"].code}, {"region": district["district"].code}),
        ({"region": district["street1"].code}, {"region": district["street1"].code}),
        ({"text": "路"}, {"q": "路"}),
        ({"text": lamp_number_part}, {"q": lamp_number_part}),
    ]
    for page_params, api_params in same:
        on_page = _page(leader, **page_params)
        assert on_page == _api(leader, **api_params), page_params
    # The two rules that used to differ: unplaced cases count in their centre's region,
    # and a number is found by its digits through either door.
    district_code = district["district"].code
    assert cases["unplaced"].number in _page(leader, region=district_code)
    assert _api(leader, q=lamp_number_part) == {cases["lamp"].number}
