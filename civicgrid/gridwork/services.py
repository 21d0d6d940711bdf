"""Patrols, field reports and the whistle (吹哨报到), as rules the views only call."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Role, User
from civicgrid.cases import events
from civicgrid.cases.access import grant_access
from civicgrid.cases.deadlines import step_window
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import Case, CaseAccess
from civicgrid.cases.scope import ScopeRule, refusal_for
from civicgrid.routing.models import Department, Step

from .events import REPORT_IN, WHISTLE
from .models import Patrol, Summons

# Who may blow the whistle on a case: the grid worker of its grid, the centre's staff.
WHISTLE_ROLES = (Role.GRID_WORKER, Role.DISPATCHER, Role.LEADER)
MAX_SUMMONED = 8


def open_patrol(worker) -> Patrol | None:
    return Patrol.objects.filter(worker=worker, ended_at__isnull=True).first()


def start_patrol(worker) -> Patrol:
    """Start a patrol; starting while one is open returns the open one."""
    if not worker.has_role(Role.GRID_WORKER):
        raise ActionRefused(_("Only grid workers patrol."))
    try:
        with transaction.atomic():
            return Patrol.objects.create(worker=worker)
    except IntegrityError:
        return open_patrol(worker)


def stop_patrol(worker, notes: str = "") -> Patrol:
    """End the open patrol with its notes."""
    patrol = open_patrol(worker)
    if patrol is None:
        raise InvalidAction(_("No patrol is under way."))
    if len(notes) > 4000:
        raise InvalidAction(_("Notes are at most 4000 characters."), "notes")
    now = timezone.now()
    Patrol.objects.filter(pk=patrol.pk, ended_at__isnull=True).update(
        ended_at=now, notes=notes.strip()
    )
    patrol.refresh_from_db()
    return patrol


def may_whistle(user, case: Case) -> bool:
    return case.is_open and refusal_for(user, case, WHISTLE_ROLES, ScopeRule.GRID) is None


def whistle(
    case: Case, departments: Sequence[Department], *, actor: User, reason: str
) -> list[Summons]:
    """Summon departments to a case (吹哨). Each must report in (报到) within the
    acknowledgement time limit of the case's category and urgency; a department
    already summoned and not yet there is not summoned twice."""
    refusal = refusal_for(actor, case, WHISTLE_ROLES, ScopeRule.GRID)
    if refusal:
        raise ActionRefused(refusal)
    if not case.is_open:
        raise InvalidAction(_("The case is closed; nobody can be summoned to it."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidAction(_("Say what the departments are needed for."), "reason")
    departments = list({d.pk: d for d in departments if d.active}.values())
    if not departments:
        raise InvalidAction(_("Choose at least one department."), "departments")
    if len(departments) > MAX_SUMMONED:
        raise InvalidAction(
            _("Summon at most %(n)d departments at once.") % {"n": MAX_SUMMONED}, "departments"
        )
    now = timezone.now()
    _warn, due = step_window(case.category, case.urgency, Step.ACKNOWLEDGE, now)
    with transaction.atomic():
        waiting = set(
            Summons.objects.select_for_update()
            .filter(case=case, reported_at__isnull=True, department__in=departments)
            .values_list("department_id", flat=True)
        )
        fresh = [d for d in departments if d.pk not in waiting]
        if not fresh:
            raise InvalidAction(
                _("These departments were already summoned and have not reported in yet."),
                "departments",
            )
        summonses = [
            Summons.objects.create(
                case=case,
                department=d,
                summoned_by=actor,
                summoned_at=now,
                due_at=due,
                reason=reason,
            )
            for d in fresh
        ]
        # A summoned department sees the case, to know where to report in.
        grant_access(case, reason=CaseAccess.Reason.SUMMONED, actor=actor, departments=fresh)
        events.record(
            case,
            WHISTLE,
            actor=actor,
            note=reason,
            data={
                "summoned": [d.name for d in fresh],
                "department_ids": [d.pk for d in fresh],
                "report_in_by": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            },
            at=now,
        )
    return summonses


def may_report_in(user, summons: Summons) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_role(Role.ADMIN):
        return True
    return any(g.department_id == summons.department_id for g in user.grants_for(Role.HANDLER))


def report_in(summons: Summons, *, actor: Actor, response: str = "") -> Summons:
    """The summoned department is there (报到). Only once; lateness is recorded."""
    if not may_report_in(actor, summons):
        raise ActionRefused(_("Only the summoned department reports in."))
    response = (response or "").strip()
    if len(response) > 2000:
        raise InvalidAction(_("The response is at most 2000 characters."), "response")
    now = timezone.now()
    with transaction.atomic():
        won = Summons.objects.filter(pk=summons.pk, reported_at__isnull=True).update(
            reported_at=now, reported_by=actor, response=response
        )
        if not won:
            raise InvalidAction(_("Your department has already reported in on this case."))
        case = summons.case
        events.record(
            case,
            REPORT_IN,
            actor=actor,
            note=response,
            data={"present": summons.department.name, "late": now > summons.due_at},
            at=now,
        )
    summons.refresh_from_db()
    return summons


def pending_for(department_ids: list[int]):
    """Summonses the departments have not answered yet, the most urgent first."""
    if not department_ids:
        return Summons.objects.none()
    return (
        Summons.objects.filter(department_id__in=department_ids, reported_at__isnull=True)
        .select_related("case", "summoned_by")
        .order_by("due_at")
    )
