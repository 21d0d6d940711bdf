"""Demo supervision: the copy rules, orders at each level on open sample cases, one
on-site record and one joint review, and the problems of the month (未诉先办) taken from
the hot issues, each with milestones, some done."""

from datetime import timedelta

from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case, Status
from civicgrid.duplicates.models import HotIssue
from civicgrid.regions.models import Region
from civicgrid.routing.models import Department, DepartmentKind
from civicgrid.supervision import projects, services
from civicgrid.supervision.models import CopyReason, CopyRule, Level, Order, Project, ReviewKind

# Every rule but the category list is on; the admin lists categories for that one.
ACTIVE_RULES = (
    CopyReason.LISTED,
    CopyReason.SUPERVISION,
    CopyReason.SECOND_REOPEN,
    CopyReason.REFUSAL,
)


# A problem of the month: (title, source when no hot issue, steps: (title, days from
# today, done)). The first is fed by the hottest issue when the demo has one.
PROJECTS = (
    (
        "老旧小区路灯集中整治",
        "重复投诉：路灯不亮",
        (("摸排全区故障路灯", -10, True), ("更换损坏灯具", 5, True), ("回访居民", 20, False)),
    ),
    (
        "夜间施工噪声专项治理",
        "重复投诉：施工噪声",
        (("梳理夜间施工许可", -3, True), ("联合执法检查", 10, False), ("公布治理结果", 25, False)),
    ),
    (
        "二次供水设施改造",
        "重复投诉：停水",
        (("制定改造计划", 4, False), ("完成首批改造", 30, False)),
    ),
)


def load_demo() -> None:
    """Safe to run again: rules once, orders and projects only when there are none."""
    for kind in CopyReason:
        CopyRule.objects.get_or_create(reason=kind, defaults={"active": kind in ACTIVE_RULES})
    if not Project.objects.exists():
        _projects()
    if Order.objects.exists():
        return
    dispatcher = User.objects.get(username="dispatcher")
    leader = User.objects.get(username="leader")
    open_cases = list(
        Case.objects.filter(
            status__in=(Status.DISPATCHED, Status.HANDLING), main_department__isnull=False
        )
        .select_related("main_department")
        .order_by("pk")[:6]
    )
    plan = [
        (Level.URGING, "超过办理时限，请加快办理并书面回复。", False),
        (Level.URGING, "市民多次来电催问，请尽快处理。", False),
        (Level.SUPERVISION, "催办后仍未办结，列入督办，请说明原因和办结时间。", False),
        (Level.SUPERVISION, "群众反映强烈，中心督办。", False),
        (Level.LISTED, "长期未解决的民生问题，挂牌督办，结果向社会公开。", True),
    ]
    for case, (level, reason, public) in zip(open_cases, plan, strict=False):
        if case.main_department is not None:
            services.issue(
                case, case.main_department, level, actor=dispatcher, reason=reason, public=public
            )
    if not open_cases:
        return
    listed = open_cases[min(4, len(open_cases) - 1)]
    unit = listed.main_department
    if unit is None:
        return
    now = timezone.now()
    services.record_visit(
        listed,
        actor=leader,
        visitors="周主任、督查科王科长",
        visited_at=now - timedelta(hours=3),
        findings="现场问题仍未解决，责任单位未安排人员。",
    )
    services.record_review(
        listed,
        actor=leader,
        kind=ReviewKind.LEADERS,
        held_at=now - timedelta(hours=1),
        leaders="常务副区长、分管副区长",
        minutes="1+N 提级会商：常务副区长主持，分管副区长和责任单位参加。",
        decision="责任单位五个工作日内解决，中心跟踪督办。",
        tasks=[(unit, "制定整改方案并组织实施", now + timedelta(days=7))],
    )


def _projects() -> None:
    """The problems of the month, owned by units, with milestones (some already done)."""
    dispatcher = User.objects.get(username="dispatcher")
    units = list(
        Department.objects.filter(active=True).exclude(kind=DepartmentKind.CENTRE).order_by("pk")
    )
    from .load import DISTRICT_CODE  # here: load imports this module

    district = Region.objects.filter(code=DISTRICT_CODE).first()
    if not units or district is None:
        return
    hottest = HotIssue.objects.filter(region_path__startswith=district.path).order_by("-rank")
    sources = [f"热点问题：{h.title}"[:200] for h in hottest[:1]]
    today = timezone.localdate()
    for i, (title, source, steps) in enumerate(PROJECTS):
        project = projects.create_project(
            actor=dispatcher,
            title=title,
            owner=units[i % len(units)],
            region=district,
            due_on=today + timedelta(days=40),
            source=sources[i] if i < len(sources) else source,
            description="每月一题：从群众反映集中的问题入手，未诉先办。",
        )
        for step, days, done in steps:
            milestone = projects.add_milestone(
                project, actor=dispatcher, title=step, due_on=today + timedelta(days=days)
            )
            if done:
                projects.complete_milestone(milestone, actor=dispatcher, note="已完成")
