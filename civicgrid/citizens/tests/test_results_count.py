"""The public results page counts closed cases only up to a bound (core.paging): the
count was most of its time with 100,000 cases."""

import pytest
from django.urls import reverse

from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f
from civicgrid.citizens import views

from .conftest import drive

pytestmark = pytest.mark.django_db


def test_past_the_bound_the_results_page_says_more_than(
    client, operator, dispatcher, handler, district, category, monkeypatch
):
    staff = {"dispatcher": dispatcher, "handler": handler, "grid_worker": dispatcher}
    for i in range(3):
        case = f.make_case(
            actor=operator,
            grid=district["grid11"],
            category=category,
            title=f"路灯{i}",
            channel="web",
        )
        drive(case, Action.CLOSE, operator=operator, **staff)
    monkeypatch.setattr(views, "RESULTS_COUNTED", 2)
    page = client.get(reverse("citizens:results")).content.decode()
    assert "more than 2 closed cases" in page
    # The pages within the bound list as before: here the two newest.
    assert ["路灯0" in page, "路灯1" in page, "路灯2" in page] == [False, True, True]
