"""The rollup: incremental, idempotent, and exactly what the raw events say."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.assessment.models import (
    COUNTERS,
    AreaFigure,
    CommunityFigure,
    DailyFigure,
    RollupState,
    UnitFigure,
)
from civicgrid.assessment.rollup import (
    by_area,
    by_community,
    by_unit,
    figures_from_scratch,
    figures_in_table,
    parse_key,
    rebuild_month,
    roll_up,
)
from civicgrid.cases import services as case_services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import CaseEvent
from civicgrid.cases.tests import factories as f

from .helpers import full_loop, history, moment

pytestmark = pytest.mark.django_db


def act(case, action, actor, **data):
    case_services.act(case, action, actor=actor, **data)
    case.refresh_from_db()


@pytest.fixture
def world(district, category, bureau, other_bureau, operator, dispatcher, handler, grid_worker):
    other_handler = f.make_user(Role.HANDLER, department=other_bureau, username="h2")
    return {
        "grid": district["grid11"],
        "category": category,
        "bureau": bureau,
        "other": other_bureau,
        "operator": operator,
        "dispatcher": dispatcher,
        "handler": handler,
        "other_handler": other_handler,
        "grid_worker": grid_worker,
    }


def new_case(w):
    return f.make_case(actor=w["operator"], grid=w["grid"], category=w["category"])


def straight_recount() -> dict:
    """Counts straight from the raw events, written apart from the rollup's fold."""
    count: Counter = Counter()
    for event in CaseEvent.objects.select_related("case"):
        a, data = event.action, event.data
        if a == "register":
            count["received"] += 1
        if a in ("dispatch", "reassign"):
            count[("dispatched", data["department_id"])] += 1
        if a == "reopen":
            count[("dispatched", event.case.main_department_id)] += 1
            count["reopened"] += 1
        if a == "return":
            count[("returned", data["department_id"])] += 1
        if a in ("close", "answer_directly", "refer"):
            count["closed"] += 1  # every way a case closes
        if a == "callback":
            count["callbacks"] += 1
            if data.get("rating"):
                count["rated"] += 1
                count[data["rating"]] += 1
        for action, counter in {
            "acknowledge": "acknowledged",
            "reply": "replied",
            "verify_pass": "verified",
            "verify_fail": "verify_failed",
            "approve_extension": "extended",
            "urge": "urged",
            "answer_directly": "direct_answers",
        }.items():
            if a == action:
                count[counter] += 1
    return count


def recount_from_table() -> dict:
    count: Counter = Counter()
    totals = DailyFigure.objects.aggregate(**{c: Sum(c) for c in COUNTERS})
    for name in (
        "received",
        "reopened",
        "callbacks",
        "rated",
        "satisfied",
        "basically",
        "unsatisfied",
        "acknowledged",
        "replied",
        "verified",
        "verify_failed",
        "closed",
        "extended",
        "urged",
        "direct_answers",
    ):
        if totals[name]:
            count[name] = totals[name]
    for row in DailyFigure.objects.values("department_id").annotate(
        d=Sum("dispatched"), r=Sum("returned")
    ):
        if row["d"]:
            count[("dispatched", row["department_id"])] += row["d"]
        if row["r"]:
            count[("returned", row["department_id"])] += row["r"]
    return count


def test_figures_rolled_up_step_by_step_agree_exactly_with_the_raw_events(world):
    w = world
    done = new_case(w)
    returned = new_case(w)
    reopened = new_case(w)
    extended = new_case(w)
    direct = new_case(w)
    roll_up()  # the rollup runs between the moves, as the demo's worker does
    for case in (done, returned, reopened, extended):
        act(case, Action.DISPATCH, w["dispatcher"], main_department=w["bureau"])
    act(direct, Action.ANSWER_DIRECTLY, w["operator"], answer="请拨打供电热线")
    roll_up()
    for case in (done, reopened, extended):
        act(case, Action.ACKNOWLEDGE, w["handler"])
    act(returned, Action.RETURN, w["handler"], note="不归我们管")
    act(returned, Action.REASSIGN, w["dispatcher"], note="改派", main_department=w["other"])
    act(extended, Action.REQUEST_EXTENSION, w["handler"], note="需要采购", days=3)
    act(extended, Action.APPROVE_EXTENSION, w["dispatcher"])
    act(done, Action.URGE, w["dispatcher"], note="快点")
    roll_up()
    for case in (done, reopened):
        act(case, Action.REPLY, w["handler"], reply="已修好")
        act(case, Action.VERIFY_PASS, w["grid_worker"])
    act(done, Action.CALLBACK, w["operator"], rating="satisfied")
    act(reopened, Action.CALLBACK, w["operator"], rating="unsatisfied")
    act(done, Action.CLOSE, w["operator"])
    act(reopened, Action.REOPEN, w["operator"], note="没修好")
    act(reopened, Action.ACKNOWLEDGE, w["handler"])
    act(reopened, Action.REPLY, w["handler"], reply="再修")
    act(reopened, Action.VERIFY_FAIL, w["grid_worker"], note="还是坏的")
    read = roll_up()
    assert read > 0

    assert figures_in_table() == figures_from_scratch()
    assert figures_in_table(AreaFigure) == by_area(figures_from_scratch())
    assert figures_in_table(CommunityFigure) == by_community(figures_from_scratch())
    assert figures_in_table(UnitFigure) == by_unit(figures_from_scratch())
    assert recount_from_table() == straight_recount()
    # The unit attributions a reader would check first.
    assert recount_from_table()[("returned", w["bureau"].pk)] == 1
    assert recount_from_table()[("dispatched", w["other"].pk)] == 1
    assert recount_from_table()[("dispatched", w["bureau"].pk)] == 5  # 4 dispatches + 1 reopen


def test_the_area_figures_count_exactly_what_the_raw_events_say_without_the_person(world):
    w = world
    cases = [new_case(w) for _ in range(3)]
    for case in cases:
        act(case, Action.DISPATCH, w["dispatcher"], main_department=w["bureau"])
    roll_up()
    # Two people acknowledge in the same unit, area, category and channel on one day.
    act(cases[0], Action.ACKNOWLEDGE, w["handler"])
    second = f.make_user(Role.HANDLER, department=w["bureau"], username="h3")
    act(cases[1], Action.ACKNOWLEDGE, second)
    roll_up()

    raw: Counter = Counter()
    for event in CaseEvent.objects.select_related("case"):
        day = timezone.localtime(event.at).date()
        where = (day, event.case.region_path, event.case.channel)
        if event.action == "register":
            raw[("received", *where)] += 1
        if event.action == "acknowledge":
            raw[("acknowledged", *where, event.case.main_department_id)] += 1
    table: Counter = Counter()
    for row in AreaFigure.objects.values(
        "day", "region_path", "channel", "department_id", "received", "acknowledged"
    ):
        where = (row["day"], row["region_path"], row["channel"])
        if row["received"]:
            table[("received", *where)] += row["received"]
        if row["acknowledged"]:
            table[("acknowledged", *where, row["department_id"])] += row["acknowledged"]
    assert table == raw
    assert raw[("received", timezone.localdate(), w["grid"].path, cases[0].channel)] == 3
    # The two acknowledgements: one cell per person, one area cell for both.
    assert DailyFigure.objects.filter(acknowledged=1).count() == 2
    assert AreaFigure.objects.get(acknowledged__gt=0).acknowledged == 2
    assert figures_in_table(AreaFigure) == by_area(figures_from_scratch())


def test_running_the_rollup_again_changes_nothing(world):
    w = world
    case = new_case(w)
    act(case, Action.DISPATCH, w["dispatcher"], main_department=w["bureau"])
    assert roll_up() == 2
    before = figures_in_table()
    assert roll_up() == 0
    assert figures_in_table() == before
    assert RollupState.objects.get().last_event_id == CaseEvent.objects.latest("id").pk


def test_an_event_committed_late_below_the_watermark_is_still_counted(world):
    """A transaction that took an event id and committed after a later one was read."""
    w = world
    case = new_case(w)
    roll_up()
    state = RollupState.objects.get()
    late = CaseEvent.objects.create(case=case, action="urge", data={})
    # Pretend the rollup had already read past this event's id when it committed.
    RollupState.objects.filter(pk=state.pk).update(last_event_id=late.pk)
    act(case, Action.DISPATCH, w["dispatcher"], main_department=w["bureau"])
    roll_up()
    assert figures_in_table() == figures_from_scratch()
    assert DailyFigure.objects.aggregate(n=Sum("urged"))["n"] == 1


def test_acknowledging_and_replying_on_time_is_measured_in_working_time(district, category, bureau):
    grid = district["grid11"]
    monday = moment("2026-11-02 09:00")  # a working day
    full_loop(category, grid, bureau, monday)
    full_loop(category, grid, bureau, monday, late_ack=True, late_reply=True)
    roll_up()
    totals = DailyFigure.objects.aggregate(**{c: Sum(c) for c in COUNTERS})
    assert totals["acknowledged"] == 2
    assert (totals["ack_on_time"], totals["ack_late"]) == (1, 1)
    assert (totals["replied_on_time"], totals["replied_late"]) == (1, 1)
    assert totals["closed_on_time"] == 1


def test_a_case_counts_under_its_grid_its_top_category_and_the_day_of_each_event(
    district, category, bureau
):
    child = f.make_category("道路照明", code="0101", parent=category)
    grid = district["grid12"]
    history(
        category=child,
        grid=grid,
        department=bureau,
        steps=[
            (moment("2026-11-02 23:50"), "register", {}, None),
            (moment("2026-11-03 00:10"), "dispatch", {"department_id": bureau.pk}, None),
        ],
    )
    roll_up()
    rows = {parse_key(k)["day"].isoformat(): (k, v) for k, v in figures_in_table().items()}
    assert set(rows) == {"2026-11-02", "2026-11-03"}
    received = DailyFigure.objects.get(received=1)
    assert received.region_id == grid.pk
    assert received.region_path == grid.path
    assert received.category_id == category.pk  # the top-level category
    assert received.department_id is None  # not yet dispatched
    assert DailyFigure.objects.get(dispatched=1).department_id == bureau.pk


def test_rebuilding_a_month_restores_figures_someone_damaged(world):
    w = world
    case = new_case(w)
    act(case, Action.DISPATCH, w["dispatcher"], main_department=w["bureau"])
    roll_up()
    good, good_areas = figures_in_table(), figures_in_table(AreaFigure)
    good_communities = figures_in_table(CommunityFigure)
    good_units = figures_in_table(UnitFigure)
    DailyFigure.objects.update(received=99)
    AreaFigure.objects.update(dispatched=7)
    CommunityFigure.objects.update(received=5)
    UnitFigure.objects.update(dispatched=3)
    today = timezone.localdate()
    rebuild_month(today.year, today.month)
    assert figures_in_table() == good
    assert figures_in_table(AreaFigure) == good_areas == by_area(good)
    # One cell per community and day, at the grid's community.
    assert figures_in_table(CommunityFigure) == good_communities == by_community(good)
    assert figures_in_table(UnitFigure) == good_units == by_unit(good)
    assert set(CommunityFigure.objects.values_list("region_path", flat=True)) == {
        world["grid"].parent.path
    }
    assert set(UnitFigure.objects.values_list("region_path", flat=True)) == {
        world["grid"].parent.parent.path
    }
    assert set(UnitFigure.objects.values_list("department_id", flat=True)) == {
        None,
        world["bureau"].pk,
    }


def test_the_rollup_command_reports_what_it_folded_in_and_refuses_a_bad_month(world, capsys):
    new_case(world)
    call_command("rollup")
    assert "Events folded in: 1." in capsys.readouterr().out
    call_command("rollup", "--rebuild", "--month", timezone.localdate().strftime("%Y-%m"))
    assert "Rebuilt" in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("rollup", "--rebuild", "--month", "2026-13")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("rollup", "--rebuild")
