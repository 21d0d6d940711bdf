"""The indicator formulas on hand-made cases, per unit, region, person and in all."""

from datetime import date, timedelta

import pytest

from civicgrid.assessment.indicators import indicators, one, percent
from civicgrid.assessment.rollup import roll_up
from civicgrid.cases.tests import factories as f

from .helpers import full_loop, history, moment

pytestmark = pytest.mark.django_db

NOV = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def month(district, category, bureau, other_bureau, handler):
    """Ten loops for the bureau: 7 satisfied, 2 basically, 1 unsatisfied; 2 acknowledged
    late, 1 replied late; plus a direct answer, a repeat merged, a return by the other
    unit and an extension."""
    grid = district["grid11"]
    start = moment("2026-11-02 09:00")
    ratings = ["satisfied"] * 7 + ["basically"] * 2 + ["unsatisfied"]
    for i, rating in enumerate(ratings):
        full_loop(
            category,
            grid,
            bureau,
            start + timedelta(days=i % 3),
            rating=rating,
            actor=handler,
            late_ack=i < 2,
            late_reply=i == 9,
        )
    at = moment("2026-11-10 10:00")
    history(
        category=category,
        grid=grid,
        steps=[(at, "register", {}, None), (at, "answer_directly", {}, None)],
    )
    history(
        category=category,
        grid=grid,
        steps=[(at, "register", {}, None), (at, "merge", {"into": "X"}, None)],
    )
    history(
        category=category,
        grid=district["grid12"],
        department=other_bureau,
        steps=[
            (at, "register", {}, None),
            (at, "dispatch", {"department_id": other_bureau.pk}, None),
            (at, "return", {"department_id": other_bureau.pk}, None),
            (at, "accept_return", {}, None),
            (at, "dispatch", {"department_id": bureau.pk}, None),
            (at, "acknowledge", {}, None),
            (at, "request_extension", {"days": 2}, None),
            (at, "approve_extension", {"days": 2}, None),
        ],
    )
    roll_up()
    return {"grid": grid}


def test_the_hotline_rates_follow_their_formulas(month, bureau, other_bureau):
    unit = one(*NOV, "unit", bureau.pk)
    rates = unit.rates
    # 满意率 = (satisfied + basically) ÷ rated = 9 / 10
    assert rates["satisfaction"] == pytest.approx(0.9)
    # 解决率 = resolved ÷ callbacks (unsatisfied is not resolved)
    assert rates["resolution"] == pytest.approx(0.9)
    # 响应率 = acknowledged on time ÷ should acknowledge: 9 on time of 11 dispatched
    assert rates["response"] == pytest.approx(9 / 11)
    # 按时签收率 = acknowledged on time ÷ acknowledged: 9 of 11
    assert rates["ack_on_time"] == pytest.approx(9 / 11)
    # 按时办结率 = replied on time ÷ replied = 9 / 10
    assert rates["reply_on_time"] == pytest.approx(0.9)
    # 回访率 = callbacks ÷ verified = 10 / 10
    assert rates["callback"] == 1
    # 延期率 = extended ÷ dispatched = 1 / 11
    assert rates["extension"] == pytest.approx(1 / 11)
    # 退单率 counts for the unit that returned: the other bureau, 1 of 1
    assert one(*NOV, "unit", other_bureau.pk).rates["return"] == 1
    assert rates["return"] == 0


def test_the_whole_period_rates_count_direct_answers_and_repeats(month):
    everything = indicators(*NOV, "all")[0]
    assert everything.counts["received"] == 13
    assert everything.rates["direct_answer"] == pytest.approx(1 / 13)
    assert everything.rates["repeat"] == pytest.approx(1 / 13)
    # 结案率 = closed ÷ received: 9 loops closed + the direct answer
    assert everything.rates["closing"] == pytest.approx(10 / 13)
    # 按期结案率 = closed on time ÷ closed: all ten (the late reply was the unsatisfied one)
    assert everything.rates["closing_on_time"] == 1
    assert percent(everything.rates["closing"]) == "76.9 %"


def test_the_stage_indicators_count_should_done_on_time_and_late(month, bureau):
    stages = one(*NOV, "unit", bureau.pk).stages
    assert stages["acknowledge"] == {"should": 11, "done": 11, "on_time": 9, "late": 2}
    assert stages["handle"] == {"should": 11, "done": 10, "on_time": 9, "late": 1}
    assert stages["callback"]["should"] == stages["callback"]["done"] == 10


def test_a_street_and_a_grid_sum_the_cases_below_them(month, district):
    grid = one(*NOV, "grid", district["grid11"].pk)
    street = one(*NOV, "street", district["street1"].pk)
    assert grid.counts["received"] == 12
    assert street.counts["received"] == 13
    assert indicators(*NOV, "grid")
    assert all(row.has_data for row in indicators(*NOV, "grid"))


def test_a_person_sees_the_moves_they_made(month, handler):
    person = one(*NOV, "person", handler.pk)
    assert person.counts["acknowledged"] == 10
    assert person.rates["ack_on_time"] == pytest.approx(0.8)


def test_a_unit_without_cases_and_a_period_without_data_have_no_rates(month, district):
    idle = f.make_department("园林局", code="YLJ")
    row = one(*NOV, "unit", idle.pk)
    assert not row.has_data
    assert set(row.rates.values()) == {None}
    assert idle.pk in {r.id for r in indicators(*NOV, "unit")}  # listed, with no data
    empty = indicators(date(2020, 1, 1), date(2020, 1, 31), "all")[0]
    assert not empty.has_data
    assert empty.rates["satisfaction"] is None
    assert percent(None) == "—"


def test_an_unknown_level_or_a_reversed_period_is_refused(month):
    with pytest.raises(ValueError, match="not a level"):
        indicators(*NOV, "planet")
    with pytest.raises(ValueError, match="ends before"):
        indicators(NOV[1], NOV[0], "all")
