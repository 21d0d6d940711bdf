"""The department the responsibility list suggests for a category at a place."""

import pytest

from civicgrid.routing.services import suggest
from civicgrid.routing.tests import factories as f


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


def test_a_rule_without_region_applies_everywhere(district, category, bureau):
    assert suggest(category, district["grid11"]) == (bureau, [])
    assert suggest(category, district["grid22"]) == (bureau, [])


def test_there_is_no_suggestion_without_a_category_or_a_rule(district, db):
    orphan = f.make_category("无人负责", code="99")
    assert suggest(None, district["grid11"]) == (None, [])
    assert suggest(orphan, district["grid11"]) == (None, [])


def test_a_rule_for_a_parent_category_covers_its_children(district, lights, bureau):
    assert suggest(lights, district["grid11"]) == (bureau, [])


def test_the_most_specific_region_wins(district, category, bureau, street_office, power):
    f.make_rule(category, street_office, region=district["street1"])
    f.make_rule(category, power, region=district["grid11"])
    assert suggest(category, district["grid11"])[0] == power
    assert suggest(category, district["grid12"])[0] == street_office
    assert suggest(category, district["grid21"])[0] == bureau


def test_at_one_region_the_exact_category_beats_its_parent(
    district, category, lights, power, street_office
):
    f.make_rule(category, street_office, region=district["street1"])
    f.make_rule(lights, power, region=district["street1"])
    assert suggest(lights, district["grid11"])[0] == power


def test_a_local_rule_for_a_broader_category_beats_a_wider_rule_for_the_exact_one(
    district, category, lights, power, street_office
):
    f.make_rule(lights, power)  # city-wide: street lights go to the power company
    f.make_rule(category, street_office, region=district["grid11"])  # this grid handles its own
    assert suggest(lights, district["grid11"])[0] == street_office
    assert suggest(lights, district["grid12"])[0] == power


def test_co_handlers_come_with_the_rule_but_inactive_ones_do_not(
    district, lights, power, street_office
):
    retired = f.make_department("撤销单位", code="OLD", active=False)
    f.make_rule(lights, power, region=district["district"], co=[street_office, retired])
    assert suggest(lights, district["grid11"]) == (power, [street_office])


def test_a_rule_whose_department_is_inactive_is_skipped(district, category, lights, bureau):
    retired = f.make_department("撤销单位", code="OLD", active=False)
    f.make_rule(lights, retired, region=district["grid11"])
    assert suggest(lights, district["grid11"]) == (bureau, [])
