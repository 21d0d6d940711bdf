"""Three levels of centres (docs/centres.md): where a new case starts, passing it down
(二级派单) and raising it up (提级) with reasons and time limits, each level's own queue,
and the levels strip on the case page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases import centres, lifecycle, queries
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Status
from civicgrid.cases.tests import factories as f
from civicgrid.routing.models import LevelRule, StartLevel


@pytest.fixture
def street_dispatcher(district):
    return f.make_user(Role.DISPATCHER, regions=[district["street1"]], username="streetdisp")


@pytest.fixture
def other_street_dispatcher(district):
    return f.make_user(Role.DISPATCHER, regions=[district["street2"]], username="street2disp")


@pytest.fixture
def workstation(district):
    """The operator of community 1's workstation."""
    return f.make_user(Role.OPERATOR, regions=[district["community1"]], username="stationop")


def report(actor, district, category, grid="grid11", **overrides):
    return f.make_case(actor=actor, grid=district[grid], category=category, **overrides)


def test_a_report_starts_at_the_district_where_no_lower_centre_is_staffed(
    operator, district, category
):
    case = report(operator, district, category)
    assert case.owner_region == district["district"]
    assert centres.level_of(case) == "district"


def test_a_report_in_a_community_with_a_workstation_starts_there(
    operator, workstation, street_dispatcher, district, category
):
    case = report(operator, district, category)
    assert case.owner_region == district["community1"]
    elsewhere = report(operator, district, category, grid="grid21")
    assert elsewhere.owner_region == district["district"]


def test_a_report_starts_at_the_street_when_only_the_street_is_staffed(
    operator, street_dispatcher, district, category
):
    case = report(operator, district, category)
    assert case.owner_region == district["street1"]


def test_a_category_set_to_the_district_skips_the_lower_centres(
    operator, workstation, district, category
):
    LevelRule.objects.create(category=category, start=StartLevel.DISTRICT)
    case = report(operator, district, category)
    assert case.owner_region == district["district"]


def test_the_default_rule_for_every_category_applies_without_a_rule_of_its_own(
    operator, workstation, street_dispatcher, district, category
):
    LevelRule.objects.create(category=None, start=StartLevel.STREET)
    assert report(operator, district, category).owner_region == district["street1"]


def test_a_category_sent_straight_to_a_utility_is_dispatched_on_registration(
    operator, workstation, district, category
):
    water = f.make_department("自来水公司", code="WATER")
    LevelRule.objects.create(category=category, start=StartLevel.UNIT, unit=water)
    case = report(operator, district, category)
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.main_department == water
    assert case.owner_region == district["district"]


def test_a_rule_straight_to_a_unit_without_a_unit_is_refused_in_the_admin(category):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        LevelRule(category=category, start=StartLevel.UNIT).full_clean()


def test_the_street_passes_a_case_down_to_the_community_with_its_own_time_limit(
    operator, street_dispatcher, district, category
):
    case = report(operator, district, category)
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(case, Action.PASS_DOWN, actor=street_dispatcher, note="  ")
    before = timezone.now()
    event = lifecycle.apply(case, Action.PASS_DOWN, actor=street_dispatcher, note="社区先上门看看")
    case.refresh_from_db()
    assert case.owner_region == district["community1"]
    assert case.status == Status.REGISTERED
    assert event.data["level"] == "community"
    assert case.step_started_at >= before
    assert case.due_at > case.step_started_at


def test_the_community_passes_down_to_the_grid_worker_who_solves_it_in_the_grid(
    operator, workstation, grid_worker, district, category
):
    case = report(operator, district, category)
    lifecycle.apply(case, Action.PASS_DOWN, actor=workstation, note="网格员处理")
    case.refresh_from_db()
    assert case.owner_region == district["grid11"]
    assert case in queries.triage_queue(grid_worker)
    lifecycle.apply(case, Action.SOLVE_IN_GRID, actor=grid_worker, reply="已修好路灯")
    case.refresh_from_db()
    assert case.status == Status.VERIFIED
    assert case.reply == "已修好路灯"
    # The workstation calls the citizen back and closes it: 小事不出网格.
    lifecycle.apply(case, Action.CALLBACK, actor=workstation, rating="satisfied")
    lifecycle.apply(case, Action.CLOSE, actor=workstation)
    assert [s["level"] for s in centres.levels_passed(case)] == ["community", "grid"]


def test_passing_down_to_a_grid_without_a_grid_worker_is_refused(
    operator, workstation, district, category
):
    case = report(operator, district, category)
    with pytest.raises(lifecycle.InvalidAction, match="No grid worker"):
        lifecycle.apply(case, Action.PASS_DOWN, actor=workstation, note="网格员处理")
    case.refresh_from_db()
    assert case.owner_region == district["community1"]


def test_a_case_goes_up_from_the_community_to_the_district_and_back_down(
    operator, workstation, street_dispatcher, dispatcher, grid_worker, district, category
):
    case = report(operator, district, category)
    assert case.owner_region == district["community1"]
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(case, Action.ESCALATE, actor=street_dispatcher, note="")
    lifecycle.apply(case, Action.ESCALATE, actor=street_dispatcher, note="社区处理不了")
    case.refresh_from_db()
    assert case.owner_region == district["street1"]
    lifecycle.apply(case, Action.ESCALATE, actor=street_dispatcher, note="需要区级协调")
    case.refresh_from_db()
    assert case.owner_region == district["district"]
    assert case in queries.triage_queue(dispatcher)
    assert case not in queries.triage_queue(street_dispatcher)
    lifecycle.apply(case, Action.PASS_DOWN, actor=dispatcher, note="街道牵头")
    lifecycle.apply(case, Action.PASS_DOWN, actor=street_dispatcher, note="社区落实")
    case.refresh_from_db()
    assert case.owner_region == district["community1"]
    names = [s["name"] for s in centres.levels_passed(case)]
    assert names == ["第1社区", "第1街道", "测试区", "第1街道", "第1社区"]


def test_a_grid_worker_raises_a_case_passed_to_their_grid_with_a_reason(
    operator, workstation, grid_worker, district, category
):
    case = report(operator, district, category)
    lifecycle.apply(case, Action.PASS_DOWN, actor=workstation, note="网格员处理")
    case.refresh_from_db()
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(case, Action.RAISE_FROM_GRID, actor=grid_worker, note="")
    lifecycle.apply(case, Action.RAISE_FROM_GRID, actor=grid_worker, note="需要物业配合")
    case.refresh_from_db()
    assert case.owner_region == district["community1"]
    assert case.due_at - case.step_started_at <= timedelta(days=3)


def test_a_grid_worker_cannot_raise_a_case_a_centre_holds(
    operator, workstation, grid_worker, district, category
):
    case = report(operator, district, category)
    with pytest.raises(lifecycle.ActionRefused, match="not been passed down"):
        lifecycle.apply(case, Action.RAISE_FROM_GRID, actor=grid_worker, note="想提级")
    with pytest.raises(lifecycle.ActionRefused, match="not been passed down"):
        lifecycle.apply(case, Action.SOLVE_IN_GRID, actor=grid_worker, reply="已处理")


def test_each_street_sees_only_its_own_queue(
    operator, street_dispatcher, other_street_dispatcher, dispatcher, district, category
):
    mine = report(operator, district, category)
    theirs = report(operator, district, category, grid="grid21")
    assert list(queries.triage_queue(street_dispatcher)) == [mine]
    assert theirs not in queries.triage_queue(street_dispatcher)
    assert list(queries.triage_queue(other_street_dispatcher)) == [theirs]
    # The district's queue holds what the district holds, not its streets' cases.
    assert list(queries.triage_queue(dispatcher)) == []
    lifecycle.apply(theirs, Action.ESCALATE, actor=other_street_dispatcher, note="区里协调")
    assert list(queries.triage_queue(dispatcher)) == [theirs]
    assert list(queries.triage_queue(other_street_dispatcher)) == []


def test_the_case_page_shows_the_levels_strip(
    client, operator, street_dispatcher, district, category
):
    case = report(operator, district, category)
    lifecycle.apply(case, Action.PASS_DOWN, actor=street_dispatcher, note="社区先上门看看")
    client.force_login(street_dispatcher)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "levels-strip" in page
    assert page.index("第1街道", page.index("levels-strip")) < page.index(
        "第1社区", page.index("levels-strip")
    )


def test_the_grid_worker_finds_a_case_passed_down_in_their_tasks(
    client, operator, workstation, grid_worker, district, category
):
    case = report(operator, district, category)
    client.force_login(grid_worker)
    assert case.number not in client.get("/tasks/").content.decode()
    lifecycle.apply(case, Action.PASS_DOWN, actor=workstation, note="网格员处理")
    page = client.get("/tasks/").content.decode()
    assert case.number in page
    assert "Passed down to your grid" in page


def _verified(case):
    """The unit replied and the grid checked on site: the case waits for its callback."""
    type(case).objects.filter(pk=case.pk).update(status=Status.VERIFIED)
    return case


def _replied(case):
    type(case).objects.filter(pk=case.pk).update(status=Status.REPLIED)
    return case


def test_each_street_calls_back_only_what_it_holds_and_the_district_not_what_a_street_holds(
    operator, street_dispatcher, other_street_dispatcher, dispatcher, district, category
):
    mine = _verified(report(operator, district, category))
    theirs = _verified(report(operator, district, category, grid="grid21"))
    assert list(queries.callbacks(street_dispatcher)) == [mine]
    assert list(queries.callbacks(other_street_dispatcher)) == [theirs]
    assert list(queries.callbacks(dispatcher)) == []


def test_each_street_verifies_only_what_it_holds_and_the_district_not_what_a_street_holds(
    operator, street_dispatcher, other_street_dispatcher, dispatcher, district, category
):
    mine = _replied(report(operator, district, category))
    theirs = _replied(report(operator, district, category, grid="grid21"))
    assert list(queries.verification_tasks(street_dispatcher)) == [mine]
    assert list(queries.verification_tasks(other_street_dispatcher)) == [theirs]
    assert list(queries.verification_tasks(dispatcher)) == []


def test_the_workstation_calls_back_what_its_grid_worker_solved_and_the_street_does_not(
    operator, workstation, street_dispatcher, grid_worker, district, category
):
    case = report(operator, district, category)
    assert case.owner_region == district["community1"]
    lifecycle.apply(case, Action.PASS_DOWN, actor=workstation, note="网格员处理")
    lifecycle.apply(case, Action.SOLVE_IN_GRID, actor=grid_worker, reply="已修好路灯")
    assert list(queries.callbacks(workstation)) == [case]
    assert list(queries.callbacks(street_dispatcher)) == []


def test_the_callbacks_page_of_a_street_lists_its_own_cases_only(
    client, operator, street_dispatcher, district, category
):
    mine = _verified(report(operator, district, category))
    theirs = _verified(report(operator, district, category, grid="grid21"))
    client.force_login(street_dispatcher)
    page = client.get("/callbacks/").content.decode()
    assert mine.number in page
    assert theirs.number not in page


def test_every_channel_starts_at_the_lowest_staffed_centre_by_default(
    operator, workstation, district, category
):
    from civicgrid.cases.models import Channel

    assert set(centres.channel_starts().values()) == {StartLevel.LOWEST}
    for channel in (Channel.HOTLINE, Channel.GRID_PATROL, Channel.WALK_IN):
        case = report(operator, district, category, channel=channel)
        assert case.owner_region == district["community1"], channel


def test_a_deployment_sends_a_channel_to_the_district_but_a_category_rule_still_wins(
    settings, operator, workstation, district, category
):
    from civicgrid.cases.models import Channel

    settings.CIVICGRID_CHANNEL_START = {"hotline": "district", "walk_in": "nowhere"}
    assert (
        report(operator, district, category, channel=Channel.HOTLINE).owner_region
        == (district["district"])
    )
    # An unknown level in the setting is ignored: the walk-in window keeps its default.
    walk_in = report(operator, district, category, channel=Channel.WALK_IN)
    assert walk_in.owner_region == district["community1"]
    LevelRule.objects.create(category=category, start=StartLevel.COMMUNITY)
    case = report(operator, district, category, channel=Channel.HOTLINE)
    assert case.owner_region == district["community1"]


def test_the_centre_page_shows_where_new_cases_land(client, dispatcher, category):
    LevelRule.objects.create(category=category, start=StartLevel.DISTRICT)
    client.force_login(dispatcher)
    page = client.get("/centres/rota/").content.decode()
    assert "Where new cases land" in page
    assert "12345 hotline" in page
    assert "the lowest staffed centre where the case lies" in page
    assert category.name in page
    assert "the district centre" in page
