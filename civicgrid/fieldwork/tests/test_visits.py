"""Households of concern, their visit schedules, the visit record and the board."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import Case, Channel
from civicgrid.core.models import PersonalDataRead
from civicgrid.fieldwork import services
from civicgrid.fieldwork.calendar import month_of, next_month
from civicgrid.fieldwork.models import Household, HouseholdCategory, Visit, VisitRule

pytestmark = pytest.mark.django_db


def _households(district, grid_worker, category, n):
    return [
        Household.objects.create(
            grid=district["grid11"],
            label=f"{category}-{i}",
            category=category,
            consent_on=date(2026, 1, 1),
            consent_by=grid_worker,
        )
        for i in range(n)
    ]


def _due_months(household, year=2026):
    months = [date(year, m, 1) for m in range(1, 13)]
    for month in months:
        services.generate_due_visits(month)
    return sorted(Visit.objects.filter(household=household).values_list("month", flat=True))


def test_elderly_alone_are_visited_monthly_the_difficult_quarterly_the_ordinary_yearly(
    district, grid_worker
):
    (alone,) = _households(district, grid_worker, HouseholdCategory.ELDERLY_ALONE, 1)
    (hard,) = _households(district, grid_worker, HouseholdCategory.DIFFICULTY, 1)
    (plain,) = _households(district, grid_worker, HouseholdCategory.ORDINARY, 1)
    assert len(_due_months(alone)) == 12
    assert len(_due_months(hard)) == 4
    assert len(_due_months(plain)) == 1


def test_quarterly_visits_of_a_grid_spread_over_the_quarter(district, grid_worker):
    _households(district, grid_worker, HouseholdCategory.UNEMPLOYED, 9)
    counts = [services.generate_due_visits(date(2026, m, 1)) for m in (1, 2, 3)]
    assert counts == [3, 3, 3]


def test_generating_a_month_twice_adds_nothing_the_second_time(district, grid_worker):
    _households(district, grid_worker, HouseholdCategory.FIVE_GUARANTEES, 5)
    assert services.generate_due_visits(date(2026, 5, 1)) == 5
    assert services.generate_due_visits(date(2026, 5, 1)) == 0
    assert Visit.objects.count() == 5


def test_the_admin_table_changes_how_often_a_category_is_visited(district, grid_worker):
    (plain,) = _households(district, grid_worker, HouseholdCategory.ORDINARY, 1)
    VisitRule.objects.create(category=HouseholdCategory.ORDINARY, every_months=6)
    assert len(_due_months(plain)) == 2


def test_the_command_generates_the_month_and_refuses_a_bad_month(district, grid_worker, capsys):
    _households(district, grid_worker, HouseholdCategory.ELDERLY_ALONE, 2)
    call_command("due_visits", "--month", "2026-07")
    assert "2026-07: 2 visits created" in capsys.readouterr().out
    with pytest.raises(Exception, match="YYYY-MM"):
        call_command("due_visits", "--month", "July")


def test_a_household_is_kept_only_with_its_consent(district, grid_worker):
    with pytest.raises(InvalidAction, match="consent"):
        services.add_household(
            district["grid11"],
            actor=grid_worker,
            label="1-1-101",
            category=HouseholdCategory.DISABILITY,
            consent_on=None,
        )
    assert not Household.objects.exists()


def test_a_household_outside_my_grids_cannot_be_added(district, grid_worker):
    with pytest.raises(ActionRefused, match="not one of your grids"):
        services.add_household(
            district["grid21"],
            actor=grid_worker,
            label="1-1-101",
            category=HouseholdCategory.ORDINARY,
            consent_on=date(2026, 1, 1),
        )


def test_a_visit_is_recorded_once_a_month(household, grid_worker):
    today = timezone.localdate()
    recorded = services.record_visit(
        household, actor=grid_worker, found="身体还好", key="k-first-1"
    )
    assert recorded.visit.visited_on == today
    assert not recorded.replayed
    with pytest.raises(InvalidAction, match="already visited"):
        services.record_visit(household, actor=grid_worker, found="又来了", key="k-second-2")
    assert Visit.objects.get().found == "身体还好"


def test_a_resent_visit_returns_the_first_record(household, grid_worker):
    first = services.record_visit(household, actor=grid_worker, found="一切正常", key="lost-net-1")
    again = services.record_visit(household, actor=grid_worker, found="一切正常", key="lost-net-1")
    assert again.replayed
    assert again.visit.pk == first.visit.pk
    assert Visit.objects.count() == 1


def test_a_visit_outside_my_grids_is_refused_and_nothing_is_saved(far_household, grid_worker):
    with pytest.raises(ActionRefused, match="not one of your grids"):
        services.record_visit(far_household, actor=grid_worker, found="看看")
    assert not Visit.objects.exists()


def test_a_visit_cannot_be_dated_in_the_future(household, grid_worker):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvalidAction, match="before it is made"):
        services.record_visit(household, actor=grid_worker, found="x", visited_on=tomorrow)
    assert not Visit.objects.exists()


def test_a_problem_found_on_a_visit_becomes_a_case_in_one_go(household, grid_worker):
    recorded = services.record_visit(
        household,
        actor=grid_worker,
        found="楼道灯坏了，老人晚上看不见",
        problem_title="楼道灯坏了",
        key="with-case-1",
    )
    case = recorded.visit.case
    assert case is not None
    assert case.channel == Channel.GRID_PATROL
    assert case.title == "楼道灯坏了"
    assert case.created_by == grid_worker
    again = services.record_visit(household, actor=grid_worker, found="x", key="with-case-1")
    assert again.visit.case == case
    assert Case.objects.count() == 1


def test_a_refused_visit_files_no_case(household, grid_worker):
    services.record_visit(household, actor=grid_worker, found="好")
    with pytest.raises(InvalidAction):
        services.record_visit(household, actor=grid_worker, found="坏", problem_title="漏水")
    assert not Case.objects.exists()


def test_the_board_counts_due_on_time_and_overdue_per_grid_community_and_worker(
    district, grid_worker, leader
):
    households = _households(district, grid_worker, HouseholdCategory.ELDERLY_ALONE, 4)
    this = month_of(timezone.localdate())
    last = month_of(this - timedelta(days=1))
    for month in (last, this):
        services.generate_due_visits(month)
    # Last month: two made, two left open (overdue). This month: one made.
    for h in households[:2]:
        Visit.objects.filter(household=h, month=last).update(
            visited_on=last + timedelta(days=3), worker=grid_worker
        )
    # Written past the services (as a bulk load would): counted again into the tallies.
    services.refresh_tallies(last)
    services.record_visit(households[0], actor=grid_worker, found="好")
    board = services.overdue_board(leader)
    assert (board.total.due, board.total.on_time, board.total.overdue) == (4, 1, 2)
    assert board.total.share == 0.25
    (grid,) = board.grids
    assert grid.name == district["grid11"].name
    assert [c.name for c in board.communities] == [district["community1"].name]
    (worker,) = board.workers
    assert (worker.due, worker.overdue) == (4, 2)
    assert services.overdue_board(leader, last).total.on_time == 2


def test_a_visit_made_after_its_month_is_late(household, grid_worker):
    month = date(2026, 3, 1)
    visit = Visit(household=household, grid=household.grid, month=month)
    assert visit.late(today=next_month(month))
    assert not visit.late(today=date(2026, 3, 31))
    visit.visited_on = date(2026, 4, 2)
    assert visit.late()


def test_contacts_are_masked_and_each_reveal_is_logged(client, household, grid_worker):
    client.force_login(grid_worker)
    page = client.get(f"/field/households/{household.pk}/").content.decode()
    assert "139****5678" in page
    assert "13912345678" not in page
    shown = client.post(f"/field/households/{household.pk}/reveal/", {"reason": "约上门"})
    assert "13912345678" in shown.content.decode()
    read = PersonalDataRead.objects.get()
    assert (read.user, read.reason) == (grid_worker, "约上门")


def test_households_stay_hidden_from_people_outside_the_grid(client, household, outsider):
    client.force_login(outsider)
    assert client.get(f"/field/households/{household.pk}/").status_code == 403
    assert not PersonalDataRead.objects.exists()


def test_another_grid_worker_does_not_see_the_household(client, household, district):
    from civicgrid.cases.tests.factories import make_user

    other = make_user("grid_worker", regions=[district["grid21"]])
    client.force_login(other)
    assert client.get(f"/field/households/{household.pk}/").status_code == 404
    assert client.post(f"/field/households/{household.pk}/reveal/").status_code == 404


def test_the_phone_visit_form_records_once_however_often_it_is_sent(client, household, grid_worker):
    client.force_login(grid_worker)
    form = {
        "client_key": "phone-key-123",
        "visited_on": timezone.localdate().isoformat(),
        "found": "老人精神不错",
    }
    url = f"/field/households/{household.pk}/visit/"
    first = client.post(url, form, HTTP_ACCEPT="application/json")
    second = client.post(url, form, HTTP_ACCEPT="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["replayed"] is True
    assert Visit.objects.count() == 1


def test_the_phone_visit_form_says_why_a_second_visit_is_refused(client, household, grid_worker):
    client.force_login(grid_worker)
    services.record_visit(household, actor=grid_worker, found="好")
    url = f"/field/households/{household.pk}/visit/"
    answer = client.post(url, {"visited_on": timezone.localdate().isoformat(), "found": "再来"})
    assert answer.status_code == 400
    assert "already visited" in answer.content.decode()


def test_the_day_page_lists_the_visits_to_make(client, household, far_household, grid_worker):
    services.generate_due_visits(timezone.localdate())
    client.force_login(grid_worker)
    page = client.get("/field/").content.decode()
    assert "3-2-401" in page
    assert "9-1-101" not in page


def test_the_day_page_reads_a_fixed_number_of_queries(
    client, district, grid_worker, django_assert_max_num_queries
):
    _households(district, grid_worker, HouseholdCategory.ELDERLY_ALONE, 30)
    services.generate_due_visits(timezone.localdate())
    client.force_login(grid_worker)
    with django_assert_max_num_queries(20):
        assert client.get("/field/").status_code == 200


def test_the_board_page_shows_the_share_on_time(client, household, grid_worker, leader):
    services.generate_due_visits(timezone.localdate())
    services.record_visit(household, actor=grid_worker, found="好")
    client.force_login(leader)
    page = client.get("/field/board/").content.decode()
    assert "100%" in page
    assert client.get("/field/board/?month=bad").status_code == 200


def test_the_worker_assessment_scores_the_share_of_visits_on_time(district, grid_worker, leader):
    households = _households(district, grid_worker, HouseholdCategory.ELDERLY_ALONE, 2)
    last = month_of(month_of(timezone.localdate()) - timedelta(days=1))
    services.generate_due_visits(last)
    Visit.objects.filter(household=households[0]).update(visited_on=last, worker=grid_worker)
    record = services.assess(grid_worker, actor=leader)
    assert record.score == 50
    with pytest.raises(ActionRefused):
        services.assess(grid_worker, actor=grid_worker)


def test_the_board_page_lists_each_grid_community_and_worker_with_their_counts(
    client, household, grid_worker, leader, district
):
    services.generate_due_visits(timezone.localdate())
    services.record_visit(household, actor=grid_worker, found="好")
    client.force_login(leader)
    page = client.get("/field/board/").content.decode()
    grid11 = district["grid11"].name
    assert f"<tr><td>{grid11}</td><td>1</td><td>1</td><td>1</td><td>100%</td><td>0</td></tr>" in (
        page
    )
    assert f"<tr><td>{district['community1'].name}</td><td>1</td>" in page
    assert page.count("<h2>") >= 3  # grid workers, communities, grids


def test_the_day_page_shows_each_visit_with_its_household_category(
    client, household, grid_worker, django_assert_max_num_queries
):
    services.generate_due_visits(timezone.localdate())
    client.force_login(grid_worker)
    with django_assert_max_num_queries(20):
        page = client.get("/field/").content.decode()
    assert "3-2-401" in page
    assert f'<span class="tag">{HouseholdCategory.ELDERLY_ALONE.label}</span>' in page


def test_the_board_tallies_follow_each_visit_and_agree_with_a_recount(
    household, grid_worker, leader
):
    from civicgrid.fieldwork.models import VisitTally

    services.generate_due_visits(timezone.localdate())
    before = services.overdue_board(leader).total
    assert (before.due, before.done, before.on_time) == (1, 0, 0)
    services.record_visit(household, actor=grid_worker, found="好")
    after = services.overdue_board(leader).total
    assert (after.due, after.done, after.on_time) == (1, 1, 1)
    kept = sorted(VisitTally.objects.values_list("grid_id", "month", "due", "made", "on_time"))
    services.refresh_tallies()
    assert (
        sorted(VisitTally.objects.values_list("grid_id", "month", "due", "made", "on_time")) == kept
    )


def _raw_tallies() -> list[tuple]:
    """Every grid's and month's counts, straight from the visits."""
    counts: dict[tuple, list[int]] = {}
    for grid_id, month, visited_on in Visit.objects.values_list("grid_id", "month", "visited_on"):
        row = counts.setdefault((grid_id, month), [0, 0, 0])
        row[0] += 1
        row[1] += visited_on is not None
        row[2] += visited_on is not None and visited_on < next_month(month)
    return sorted((grid, month, *row) for (grid, month), row in counts.items())


def _kept_tallies() -> list[tuple]:
    from civicgrid.fieldwork.models import VisitTally

    return sorted(VisitTally.objects.values_list("grid_id", "month", "due", "made", "on_time"))


def test_a_visit_closes_the_overdue_visit_of_an_earlier_month_first(district, grid_worker, leader):
    alone, other = _households(district, grid_worker, HouseholdCategory.ELDERLY_ALONE, 2)
    this = month_of(timezone.localdate())
    last = month_of(this - timedelta(days=1))
    before = month_of(last - timedelta(days=1))
    for month in (before, last, this):
        services.generate_due_visits(month)
    today = timezone.localdate()

    first = services.record_visit(alone, actor=grid_worker, found="好", key="catch-up-1").visit
    assert first.month == before  # the oldest open one, closed late
    assert first.visited_on == today
    assert first.late()
    second = services.record_visit(alone, actor=grid_worker, found="好", key="catch-up-2").visit
    assert second.month == last
    third = services.record_visit(alone, actor=grid_worker, found="好", key="catch-up-3").visit
    assert third.month == this
    assert not third.late()
    with pytest.raises(InvalidAction, match="already visited"):
        services.record_visit(alone, actor=grid_worker, found="又来了", key="catch-up-4")
    services.record_visit(other, actor=grid_worker, found="好", key="other-1")

    assert not services.due_visits(grid_worker).filter(household=alone).exists()
    assert list(
        services.due_visits(grid_worker).filter(household=other).values_list("month", flat=True)
    ) == [last, this]
    assert Visit.objects.count() == 6  # closing adds no row
    assert _kept_tallies() == _raw_tallies()
    board = services.overdue_board(leader).total
    assert (board.due, board.done, board.on_time, board.overdue) == (2, 1, 1, 1)


def test_a_visit_with_nothing_due_is_one_more_of_its_month_counted_exactly(household, grid_worker):
    services.record_visit(household, actor=grid_worker, found="顺路看看", key="extra-1")
    (visit,) = Visit.objects.all()
    assert visit.month == month_of(timezone.localdate())
    assert _kept_tallies() == _raw_tallies()
