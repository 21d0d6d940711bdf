"""Schemes (weights, bands, versions), scores, reverse evaluation and the red/black list."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.assessment import services
from civicgrid.assessment.extensions import ACCOUNTABILITY, register_accountability
from civicgrid.assessment.models import ListKind, ReverseEvaluation, Scheme
from civicgrid.assessment.rollup import roll_up
from civicgrid.cases.lifecycle import InvalidAction
from civicgrid.cases.tests import factories as f

from .helpers import full_loop, moment

pytestmark = pytest.mark.django_db

THREE_RATES = {"response": 30, "resolution": 35, "satisfaction": 35}


@pytest.fixture
def assessor(district):
    return f.make_user(Role.ASSESSOR, regions=[district["district"]], username="assessor")


def scheme(assessor, valid_from=date(2026, 1, 1), weights=None, **more):
    return services.save_scheme(
        actor=assessor,
        name="2026年考核方案",
        valid_from=valid_from,
        weights=weights or THREE_RATES,
        **more,
    )


def test_a_scheme_whose_weights_do_not_add_up_to_100_is_refused(assessor):
    with pytest.raises(ValidationError, match="add up to 90; they must add up to 100"):
        scheme(assessor, weights={"response": 30, "resolution": 30, "satisfaction": 30})
    with pytest.raises(ValidationError, match="not an indicator"):
        scheme(assessor, weights={"response": 50, "beauty": 50})
    with pytest.raises(ValidationError, match="whole number"):
        scheme(assessor, weights={"response": "fifty", "satisfaction": 50})
    assert not Scheme.objects.exists()


def test_a_scheme_starts_on_the_first_of_a_month_and_only_an_officer_keeps_them(assessor, handler):
    with pytest.raises(ValidationError, match="first day of a month"):
        scheme(assessor, valid_from=date(2026, 1, 15))
    with pytest.raises(PermissionDenied):
        scheme(handler)
    with pytest.raises(ValidationError, match="grade bands"):
        scheme(assessor, grade_a=70, grade_b=75)


def test_a_scheme_in_force_cannot_be_changed(assessor):
    old = scheme(assessor, valid_from=date(2026, 1, 1))
    old.weights = {"satisfaction": 100}
    with pytest.raises(ValidationError, match="add a new version"):
        services.check_scheme(old, original_valid_from=date(2026, 1, 1))


def test_a_past_month_is_scored_with_the_scheme_in_force_then(assessor, district, category, bureau):
    scheme(assessor, valid_from=date(2026, 10, 1), weights={"satisfaction": 100})
    scheme(assessor, valid_from=date(2026, 11, 1), weights={"reply_on_time": 100})
    grid = district["grid11"]
    for day in ("2026-10-05 09:00", "2026-11-02 09:00"):
        full_loop(category, grid, bureau, moment(day), rating="basically", late_reply=True)
    roll_up()
    october = services.scores(date(2026, 10, 1))
    november = services.scores(date(2026, 11, 1))
    assert october.scheme.valid_from == date(2026, 10, 1)
    assert november.scheme.valid_from == date(2026, 11, 1)
    bureau_row = next(r for r in october.rows if r.id == bureau.pk)
    assert (bureau_row.score, bureau_row.grade) == (100.0, "A")  # basically satisfied counts
    bureau_row = next(r for r in november.rows if r.id == bureau.pk)
    assert (bureau_row.score, bureau_row.grade) == (0.0, "D")  # replied late
    assert services.scores(date(2025, 12, 1)).scheme is None


def test_lower_is_better_rates_score_inverted_and_missing_figures_leave_the_score(
    assessor,
):
    score, parts = services.score_of(
        {"return": 20, "satisfaction": 50, "reverse": 30},
        {"return": 0.1, "satisfaction": 0.8, "reverse": None},
    )
    assert score == pytest.approx((90 * 20 + 80 * 50) / 70, abs=0.01)
    assert services.score_of({"satisfaction": 100}, {"satisfaction": None})[0] is None


def test_grade_bands_are_configurable(assessor):
    bands = scheme(assessor, grade_a=95, grade_b=80, grade_c=50)
    assert [bands.grade(s) for s in (95, 94.9, 80, 50, 49.9, None)] == ["A", "B", "B", "C", "D", ""]


def test_reverse_evaluations_enter_the_score_with_their_own_weight(
    assessor, district, category, bureau
):
    scheme(assessor, weights={"satisfaction": 50, "reverse": 50})
    full_loop(category, district["grid11"], bureau, timezone.now() - timedelta(hours=1))
    roll_up()
    speaker = f.make_user(Role.DISPATCHER, regions=[district["community1"]], username="sq")
    services.rate_department(bureau, actor=speaker, community=district["community1"], stars=3)
    row = next(r for r in services.scores(timezone.localdate()).rows if r.id == bureau.pk)
    assert row.score == pytest.approx((100 + 60) / 2)


def test_residents_grid_workers_and_communities_rate_once_a_month(
    district, grid_worker, bureau, handler
):
    grid = district["grid11"]
    services.rate_grid(grid, phone="13800000001", stars=5, comment="网格员很负责")
    services.rate_grid(grid, phone="13800000001", stars=2)  # the same resident again
    services.rate_grid(grid, phone="13800000002", stars=4)
    assert services.reverse_averages(timezone.localdate(), "grid")[grid.pk] == (3.0, 2)
    assert not ReverseEvaluation.objects.filter(rater_key__contains="1380000").exists()
    services.rate_community(district["community1"], actor=grid_worker, stars=4)
    with pytest.raises(PermissionDenied):
        services.rate_community(district["community2"], actor=grid_worker, stars=4)
    with pytest.raises(PermissionDenied):
        services.rate_department(bureau, actor=handler, community=district["community1"], stars=1)
    with pytest.raises(InvalidAction, match="1 to 5"):
        services.rate_grid(grid, phone="13800000003", stars=6)
    with pytest.raises(InvalidAction, match="grid"):
        services.rate_grid(district["street1"], phone="13800000003", stars=3)


@pytest.fixture
def records():
    counts: dict[int, int] = {}
    source = lambda since, until: dict(counts)  # noqa: E731
    register_accountability(source)
    yield counts
    ACCOUNTABILITY.remove(source)


def test_the_red_black_list_ranks_units_by_score_and_accountability(
    assessor, district, category, bureau, other_bureau, records, leader
):
    scheme(assessor, valid_from=date(2026, 11, 1), weights={"satisfaction": 100}, red_size=2)
    third = f.make_department("水务局", code="SWJ")
    grid = district["grid11"]
    start = moment("2026-11-02 09:00")
    full_loop(category, grid, bureau, start)  # 100: red
    full_loop(category, grid, other_bureau, start, rating="unsatisfied")  # 0: black
    full_loop(category, grid, third, start)  # 100, but an accountability record: black
    roll_up()
    records[third.pk] = 2
    listed = services.compile_list(date(2026, 11, 1), actor=assessor)
    red = [e.department_id for e in listed.entries.filter(kind=ListKind.RED)]
    black = [e.department_id for e in listed.entries.filter(kind=ListKind.BLACK)]
    assert red == [bureau.pk]
    assert black == [third.pk, other_bureau.pk]
    assert listed.public is False
    services.set_public(listed, True, actor=leader)
    again = services.compile_list(date(2026, 11, 1), actor=assessor)
    assert again.pk == listed.pk
    assert again.public is True


def test_a_list_needs_a_scheme_and_figures(assessor, handler):
    with pytest.raises(InvalidAction, match="No assessment scheme"):
        services.compile_list(date(2026, 11, 1), actor=assessor)
    scheme(assessor)
    with pytest.raises(InvalidAction, match="no figures"):
        services.compile_list(date(2026, 11, 1), actor=assessor)
    with pytest.raises(PermissionDenied):
        services.compile_list(date(2026, 11, 1), actor=handler)
