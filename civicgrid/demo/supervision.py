"""Demo supervision: the copy rules, orders at each level on open sample cases, one
on-site record and one joint review."""

from datetime import timedelta

from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case, Status
from civicgrid.supervision import services
from civicgrid.supervision.models import CopyReason, CopyRule, Level, Order, ReviewKind

# Every rule but the category list is on; the admin lists categories for that one.
ACTIVE_RULES = (
    CopyReason.LISTED,
    CopyReason.SUPERVISION,
    CopyReason.SECOND_REOPEN,
    CopyReason.REFUSAL,
)


def load_demo() -> None:
    """Safe to run again: rules once, orders only when there are none."""
    for kind in CopyReason:
        CopyRule.objects.get_or_create(reason=kind, defaults={"active": kind in ACTIVE_RULES})
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
