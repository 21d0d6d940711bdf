"""Cases get the department the responsibility list suggests, a whole queue at once."""

import pytest

from civicgrid.cases.tests import factories as f
from civicgrid.routing.services import suggest, suggest_for_cases


@pytest.fixture
def lights(category):
    """A child category: 市容环境 › 路灯."""
    return f.make_category("路灯", code="0101", parent=category)


@pytest.fixture
def street_office(db):
    return f.make_department("第1街道办事处", code="JD1")


@pytest.fixture
def power(db):
    return f.make_department("供电公司", code="GD")


def test_a_case_without_a_grid_is_routed_by_its_centre(
    operator, district, category, bureau, street_office
):
    f.make_rule(category, street_office, region=district["district"])
    unplaced = f.make_case(actor=operator, category=category)
    assert unplaced.grid is None
    assert suggest_for_cases([unplaced])[unplaced.pk] == (street_office, [])


def test_a_whole_queue_is_suggested_in_a_fixed_number_of_queries(
    operator, district, category, lights, power, django_assert_max_num_queries, warm_snapshots
):
    """The rules and their co-departments; the categories' parents come from the
    per-process snapshot (filled by a first call, as a process's first page does)."""
    f.make_rule(lights, power, region=district["street2"])
    cases = [
        f.make_case(actor=operator, grid=district[f"grid{s}{g}"], category=c)
        for s in (1, 2)
        for g in (1, 2)
        for c in (category, lights)
    ]
    suggest_for_cases(cases[:1])
    with django_assert_max_num_queries(2):
        suggestions = suggest_for_cases(cases)
    for case in cases:
        assert suggestions[case.pk] == suggest(case.category, case.grid)
