"""Must-attend events, centre tasks, grid councils, resident points, the public roster."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from civicgrid.cases import services as case_services
from civicgrid.cases.lifecycle import Action, ActionRefused, InvalidAction
from civicgrid.cases.tests.factories import make_case, make_image
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import (
    CouncilTask,
    MustAttend,
    MustAttendRule,
    PointEntry,
    Reward,
    TaskReply,
    TeamMember,
    TeamRole,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def emergency(category):
    MustAttendRule.objects.create(category=category, minutes=30)
    return category


def test_a_case_of_a_must_attend_category_gives_its_grid_worker_an_on_site_task(
    django_capture_on_commit_callbacks, operator, district, emergency
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(actor=operator, grid=district["grid11"], category=emergency)
    task = MustAttend.objects.get(case=case)
    assert task.grid == district["grid11"]
    assert timedelta(minutes=29) < task.due_at - case.created_at <= timedelta(minutes=31)


def test_the_task_is_made_once_even_when_the_case_is_dispatched_later(
    django_capture_on_commit_callbacks, operator, dispatcher, bureau, district, emergency
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(actor=operator, grid=district["grid11"], category=emergency)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    assert MustAttend.objects.filter(case=case).count() == 1


def test_other_categories_make_no_on_site_task(
    django_capture_on_commit_callbacks, operator, district, category
):
    with django_capture_on_commit_callbacks(execute=True):
        make_case(actor=operator, grid=district["grid11"], category=category)
    assert not MustAttend.objects.exists()


def test_arrival_is_recorded_once_with_its_time_and_note(
    django_capture_on_commit_callbacks, operator, district, emergency, grid_worker, client
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(actor=operator, grid=district["grid11"], category=emergency)
    task = MustAttend.objects.get(case=case)
    client.force_login(grid_worker)
    assert case.number in client.get("/field/").content.decode()
    client.post(f"/field/attend/{task.pk}/arrive/", {"note": "已到现场，双方情绪稳定"})
    task.refresh_from_db()
    assert task.arrived_by == grid_worker
    assert task.note == "已到现场，双方情绪稳定"
    assert case.events.filter(action="must_attend_arrived").exists()
    with pytest.raises(InvalidAction, match="already recorded"):
        services.arrive(task, actor=grid_worker)


def test_only_the_grid_team_records_arrival(
    django_capture_on_commit_callbacks, operator, district, emergency, dispatcher
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(actor=operator, grid=district["grid11"], category=emergency)
    with pytest.raises(ActionRefused):
        services.arrive(MustAttend.objects.get(case=case), actor=dispatcher)


def test_the_centre_sends_one_task_to_many_grids_and_sees_who_has_done_it(
    client, dispatcher, grid_worker, district
):
    client.force_login(dispatcher)
    answer = client.post(
        "/field/tasks/",
        {
            "title": "今晚降雨前排查所有易涝地下室",
            "grids": [district["grid11"].pk, district["grid21"].pk],
        },
    )
    task = services.visible_tasks(dispatcher).get()
    assert answer.status_code == 302
    assert task.replies.count() == 2
    client.force_login(grid_worker)
    reply = TaskReply.objects.get(task=task, grid=district["grid11"])
    client.post(
        f"/field/tasks/{task.pk}/",
        {"reply": reply.pk, "result": "3处地下室已排查，沙袋到位", "photos": [make_image()]},
    )
    reply.refresh_from_db()
    assert reply.done_by == grid_worker
    assert reply.photos.count() == 1
    client.force_login(dispatcher)
    board = client.get(f"/field/tasks/{task.pk}/").content.decode()
    assert "1 of 2 grids done" in board
    photo = reply.photos.get()
    assert client.get(f"/field/photos/{photo.pk}/")["Content-Type"].startswith("image/")


def test_a_grid_replies_once_and_only_for_its_own_grid(dispatcher, grid_worker, district):
    task = services.send_task(
        [district["grid11"], district["grid21"]], actor=dispatcher, title="排查"
    )
    mine = task.replies.get(grid=district["grid11"])
    other = task.replies.get(grid=district["grid21"])
    with pytest.raises(ActionRefused):
        services.reply_task(other, actor=grid_worker, result="做了")
    services.reply_task(mine, actor=grid_worker, result="做了")
    with pytest.raises(InvalidAction, match="already replied"):
        services.reply_task(mine, actor=grid_worker, result="又做了")


def test_a_grid_worker_cannot_send_centre_tasks(grid_worker, district):
    with pytest.raises(ActionRefused):
        services.send_task([district["grid11"]], actor=grid_worker, title="x")


def test_a_council_keeps_its_decision_and_follow_up_tasks(client, grid_worker, district):
    client.force_login(grid_worker)
    client.post(
        "/field/councils/new/",
        {
            "grid": district["grid11"].pk,
            "topic": "加装电梯",
            "meeting_on": "2026-11-20",
            "attendance": 23,
            "decision": "同意3栋先行试点",
            "tasks": "征求3栋住户签字\n联系街道申请补贴\n",
        },
    )
    assert list(CouncilTask.objects.values_list("text", flat=True).order_by("pk")) == [
        "征求3栋住户签字",
        "联系街道申请补贴",
    ]


def test_points_are_earned_and_spent_down_to_the_balance(household, grid_worker):
    services.award(household, actor=grid_worker, points=30, reason="清理楼道杂物")
    soap = Reward.objects.create(name="洗衣液", points=20, stock=5)
    services.redeem(household, soap, actor=grid_worker)
    assert services.balance(household) == 10
    soap.refresh_from_db()
    assert soap.stock == 4


def test_a_redemption_beyond_the_balance_is_refused_and_changes_nothing(household, grid_worker):
    services.award(household, actor=grid_worker, points=10, reason="志愿巡逻")
    rice = Reward.objects.create(name="大米", points=50, stock=3)
    with pytest.raises(InvalidAction, match="costs 50 points; the household has 10"):
        services.redeem(household, rice, actor=grid_worker)
    rice.refresh_from_db()
    assert rice.stock == 3
    assert PointEntry.objects.count() == 1


def test_a_redemption_beyond_the_stock_is_refused(household, grid_worker):
    services.award(household, actor=grid_worker, points=100, reason="调解邻里纠纷")
    gone = Reward.objects.create(name="毛巾", points=5, stock=0)
    with pytest.raises(InvalidAction, match="out of stock"):
        services.redeem(household, gone, actor=grid_worker)
    assert services.balance(household) == 100


def test_points_are_awarded_only_within_limits_and_by_the_grid_team(
    household, grid_worker, dispatcher
):
    with pytest.raises(InvalidAction):
        services.award(household, actor=grid_worker, points=0, reason="x")
    with pytest.raises(ActionRefused):
        services.award(household, actor=dispatcher, points=5, reason="x")
    assert not PointEntry.objects.exists()


def test_the_redeem_button_on_the_household_page_says_why_it_is_refused(
    client, household, grid_worker
):
    rice = Reward.objects.create(name="大米", points=50, stock=3)
    client.force_login(grid_worker)
    answer = client.post(
        f"/field/households/{household.pk}/points/", {"reward": rice.pk}, follow=True
    )
    assert "costs 50 points" in answer.content.decode()


def test_the_public_roster_shows_names_and_roles_only(client, district, household):
    TeamMember.objects.create(grid=district["grid11"], name="王建国", role=TeamRole.LEADER)
    TeamMember.objects.create(
        grid=district["grid11"], name="陈律师", role=TeamRole.SPECIALIST, speciality="律师"
    )
    page = client.get(f"/field/roster/?grid={district['grid11'].code}").content.decode()
    assert "王建国" in page
    assert "陈律师" in page
    assert "律师" in page
    assert "3-2-401" not in page
    assert "1391" not in page


@pytest.mark.django_db(transaction=True)
def test_of_two_redemptions_at_once_exactly_one_spends_the_points(district, grid_worker):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises every write anyway")
    from civicgrid.fieldwork.models import Household

    household = Household.objects.create(
        grid=district["grid11"],
        label="1-1-1",
        category="ordinary",
        consent_on=date(2026, 1, 1),
        consent_by=grid_worker,
    )
    services.award(household, actor=grid_worker, points=100, reason="义务植树")
    reward = Reward.objects.create(name="电饭煲", points=100, stock=5)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def race():
        try:
            barrier.wait()
            services.redeem(household, reward, actor=grid_worker)
            outcomes.append("won")
        except InvalidAction:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "won"]
    assert services.balance(household) == 0
    reward.refresh_from_db()
    assert reward.stock == 4


def test_a_consent_day_in_the_future_is_refused(district, grid_worker):
    with pytest.raises(InvalidAction, match="future"):
        services.add_household(
            district["grid11"],
            actor=grid_worker,
            label="1",
            category="ordinary",
            consent_on=timezone.localdate() + timedelta(days=1),
        )


def test_the_day_page_lists_must_attend_centre_tasks_and_my_reports_in_order(
    django_capture_on_commit_callbacks,
    operator,
    district,
    emergency,
    grid_worker,
    dispatcher,
    client,
    django_assert_max_num_queries,
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(actor=operator, grid=district["grid11"], category=emergency)
    later = services.send_task([district["grid11"]], actor=dispatcher, title="检查消防通道")
    sooner = services.send_task(
        [district["grid11"]],
        actor=dispatcher,
        title="排查易涝地下室",
        due_at=timezone.now() + timedelta(hours=2),
    )
    answered = services.send_task([district["grid11"]], actor=dispatcher, title="已答的任务")
    services.reply_task(answered.replies.get(), actor=grid_worker, result="好")
    services.send_task([district["grid21"]], actor=dispatcher, title="别的网格的任务")
    mine = make_case(actor=grid_worker, grid=district["grid11"], title="井盖缺失")

    lines = services.day_lists(grid_worker)
    assert [(line.number, line.late) for line in lines["attend"]] == [(case.number, False)]
    assert [line.ref for line in lines["reply"]] == [sooner.pk, later.pk]
    assert [line.title for line in lines["report"]] == ["井盖缺失"]
    assert lines["report"][0].status_label == mine.get_status_display()

    client.force_login(grid_worker)
    with django_assert_max_num_queries(8):
        page = client.get("/field/").content.decode()
    shown = (case.number, "排查易涝地下室", "检查消防通道", "井盖缺失", district["grid11"].name)
    for text in shown:
        assert text in page
    assert "已答的任务" not in page
    assert "别的网格的任务" not in page
