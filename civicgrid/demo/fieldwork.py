"""The demo's field work in the grid worker's grids: their "1 + N + X" teams, households
of concern (invented, consented), visit schedules with a few months of visits (some
overdue), must-attend rules, a centre task, a grid council and the points shop.

Walked through ``fieldwork.services`` where staff would act; safe to run again.
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import Role, User
from civicgrid.fieldwork import services
from civicgrid.fieldwork.calendar import month_of
from civicgrid.fieldwork.models import (
    DEFAULT_EVERY_MONTHS,
    Household,
    HouseholdCategory,
    MustAttendRule,
    RecordKind,
    Reward,
    TeamMember,
    TeamRole,
    Visit,
    VisitRule,
    WorkerRecord,
)
from civicgrid.regions.models import Region
from civicgrid.routing.models import Category

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["秀英", "桂兰", "建国", "玉兰", "志强", "凤英", "海燕", "明", "丽", "军", "德福", "淑珍"]
# How many households of each category a demo grid looks after.
PER_GRID = {
    HouseholdCategory.ORDINARY: 12,
    HouseholdCategory.DIFFICULTY: 3,
    HouseholdCategory.DISABILITY: 2,
    HouseholdCategory.TEMPORARY: 4,
    HouseholdCategory.UNEMPLOYED: 2,
    HouseholdCategory.ASSISTED: 2,
    HouseholdCategory.ELDERLY_ALONE: 4,
    HouseholdCategory.FIVE_GUARANTEES: 1,
}
TEAM = [
    (TeamRole.SPECIALIST, "社区民警"),
    (TeamRole.SPECIALIST, "人民调解员"),
    (TeamRole.SPECIALIST, "法律顾问"),
    (TeamRole.VOLUNTEER, ""),
    (TeamRole.VOLUNTEER, ""),
    (TeamRole.BUILDING_CHIEF, ""),
    (TeamRole.BUILDING_CHIEF, ""),
    (TeamRole.SECURITY_HEAD, ""),
]
# 五必到: the categories whose cases bring the grid worker on site, and how fast.
MUST_ATTEND = [("社会治安", 30), ("事故处理", 30), ("突发公共卫生事件处理", 30), ("宅基地纠纷", 60)]
REWARDS = [("洗衣液", 20, 30), ("食用油", 50, 20), ("大米 5 kg", 80, 10), ("理发券", 10, 50)]
FOUND = [
    "身体状况良好，生活正常",
    "独居老人血压偏高，已提醒按时服药",
    "家中电线老化，建议更换",
    "生活困难，已告知临时救助政策",
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _months_back(month: date, n: int) -> date:
    for _i in range(n):
        month = month_of(month - timedelta(days=1))
    return month


@transaction.atomic
def load_demo() -> None:
    for category, every in DEFAULT_EVERY_MONTHS.items():
        VisitRule.objects.get_or_create(category=category, defaults={"every_months": every})
    for name, minutes in MUST_ATTEND:
        listed = Category.objects.filter(name=name).order_by("code").first()
        if listed is not None:
            MustAttendRule.objects.get_or_create(category=listed, defaults={"minutes": minutes})
    if Household.objects.exists():
        return
    rng = random.Random(14)
    worker = User.objects.get(username="gridworker")
    dispatcher = User.objects.get(username="dispatcher")
    leader = User.objects.get(username="leader")
    grids = list(
        Region.objects.filter(grants__user=worker, grants__role=Role.GRID_WORKER).order_by("code")
    )
    today = timezone.localdate()
    for grid in grids:
        TeamMember.objects.create(
            grid=grid, name=worker.get_full_name() or "孙网格", role=TeamRole.LEADER, user=worker
        )
        for role, speciality in TEAM:
            TeamMember.objects.create(grid=grid, name=_name(rng), role=role, speciality=speciality)
        door = 0
        for category, n in PER_GRID.items():
            for _i in range(n):
                door += 1
                services.add_household(
                    grid,
                    actor=worker,
                    label=f"{rng.randint(1, 12)}-{rng.randint(1, 3)}-{door:03d}",
                    category=category,
                    consent_on=today - timedelta(days=rng.randint(30, 400)),
                    contact_name=_name(rng),
                    contact_phone=f"13{rng.randint(100000000, 999999999)}",
                )
    # Four months of schedules: the earlier ones mostly visited (a few late, a few not).
    this = month_of(today)
    months = [_months_back(this, n) for n in (3, 2, 1, 0)]
    for month in months:
        services.generate_due_visits(month)
    for visit in Visit.objects.filter(month__lt=this).select_related("household"):
        roll = rng.random()
        if roll < 0.08:
            continue  # still not made: overdue
        late = roll < 0.15
        day = (visit.month_end if late else visit.month) + timedelta(days=rng.randint(0, 20))
        visit.visited_on, visit.worker, visit.found = day, worker, rng.choice(FOUND)
        visit.save(update_fields=["visited_on", "worker", "found"])
    # The visits above were written directly: count them into the board's tallies.
    services.refresh_tallies()
    due_now = list(
        Visit.objects.filter(month=this).select_related("household", "household__grid")[:4]
    )
    for n, visit in enumerate(due_now[:3]):
        services.record_visit(
            visit.household,
            actor=worker,
            found=FOUND[n],
            problem_title="楼道电线老化需更换" if n == 2 else "",
            key=f"demo-visit-{n}",
        )
    # The centre's task to the community's grids; the first grid has answered.
    task = services.send_task(
        grids,
        actor=dispatcher,
        title="今晚降雨前排查辖区易涝地下室、地下车库",
        details="逐一检查排水、沙袋、警示标志，发现隐患立即上报。",
        due_at=timezone.now() + timedelta(hours=6),
    )
    services.reply_task(
        task.replies.order_by("grid__code")[0],
        actor=worker,
        result="已排查地下室 4 处、车库 1 处，沙袋到位，无积水。",
    )
    # A grid council and its follow-up tasks.
    services.hold_council(
        grids[0],
        actor=worker,
        topic="3 号楼加装电梯",
        meeting_on=today - timedelta(days=12),
        attendance=26,
        decision="2/3 以上住户同意，先做方案并公示。",
        tasks=["征集住户签字意见", "联系街道申请加装补贴", "公示设计方案"],
    )
    # The points shop (积分超市).
    for name, points, stock in REWARDS:
        Reward.objects.create(name=name, points=points, stock=stock)
    acts = ["清理楼道杂物", "参加志愿巡逻", "调解邻里纠纷", "垃圾分类示范户"]
    for household in Household.objects.filter(grid=grids[0]).order_by("pk")[:8]:
        for _i in range(rng.randint(1, 4)):
            services.award(
                household, actor=worker, points=rng.choice([5, 10, 20]), reason=rng.choice(acts)
            )
    first = Household.objects.filter(grid=grids[0]).order_by("pk")[0]
    services.award(first, actor=worker, points=20, reason="参加社区义诊志愿服务")
    services.redeem(first, Reward.objects.get(name="洗衣液"), actor=worker)
    # The grid worker's file.
    WorkerRecord.objects.create(
        worker=worker,
        kind=RecordKind.APPOINTMENT,
        on=today - timedelta(days=700),
        title="聘任为专职网格员",
        recorded_by=leader,
    )
    WorkerRecord.objects.create(
        worker=worker,
        kind=RecordKind.TRAINING,
        on=today - timedelta(days=90),
        title="基层矛盾纠纷排查化解培训",
        recorded_by=leader,
    )
    services.assess(worker, actor=leader)
