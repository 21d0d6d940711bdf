"""The response: one click starts a plan at a level (a task per step for its unit, with
its deadline, the units told), the level goes up or down (the tasks follow), the units
acknowledge and finish their tasks, and ending the response closes what is left.

Every command decision locks the incident row and checks the ``version`` the commander
saw, so of two commanders changing the level at once exactly one wins; the other is
told to look again.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.cases import events
from civicgrid.cases.lifecycle import ActionRefused, ConcurrentUpdate, InvalidAction

from . import taxonomy
from .events import LEVEL_CHANGED, PLAN_STARTED, RESPONSE_ENDED
from .models import (
    LIVE_TASKS,
    Incident,
    IncidentStatus,
    LogKind,
    Plan,
    PlanStep,
    ReportKind,
    ResponseLevel,
    Task,
    TaskStatus,
)
from .services import _require_command, log, may_command, share

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _level(value) -> int:
    if isinstance(value, str) and value.strip().upper() in ROMAN:
        return ROMAN[value.strip().upper()]
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise InvalidAction(_("Choose a response level (I to IV)."), "level") from None
    if level not in ResponseLevel.values:
        raise InvalidAction(_("Choose a response level (I to IV)."), "level")
    return level


def _locked(incident: Incident, version, actor: User) -> Incident:
    """The incident row, locked; refused when someone changed it since ``version``."""
    _require_command(actor, incident)
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if version not in (None, "") and str(version) != str(locked.version):
        raise ConcurrentUpdate(
            _("Someone else changed this incident meanwhile (now: %(state)s); look again.")
            % {"state": _state(locked)}
        )
    return locked


def _state(incident: Incident) -> str:
    parts = [str(incident.get_status_display())]
    if incident.level:
        parts.append(incident.level_label)
    return ", ".join(parts)


def steps_at(plan: Plan, level: int) -> list[PlanStep]:
    return [s for s in plan.steps.select_related("owner").order_by("position") if level in s.levels]


def _check_plan_level(plan: Plan, level: int):
    defined = plan.levels.filter(level=level).select_related("lead_unit").first()
    if defined is None:
        have = ", ".join(
            str(ResponseLevel(v).label) for v in plan.levels.values_list("level", flat=True)
        )
        raise InvalidAction(
            _("The plan “%(plan)s” does not define %(level)s (it defines: %(have)s).")
            % {"plan": plan.name, "level": ResponseLevel(level).label, "have": have or "—"},
            "level",
        )
    return defined


def _new_tasks(incident: Incident, steps: list[PlanStep], now: datetime) -> list[Task]:
    for step in steps:
        if step.owner_id is None:
            raise InvalidAction(
                _("Step %(n)s of the plan has no owner unit.") % {"n": step.position}, "plan"
            )
    return Task.objects.bulk_create(
        Task(
            incident=incident,
            step=step,
            key=step.key,
            position=step.position,
            unit_id=step.owner_id,
            measure=step.measure,
            created_at=now,
            due_at=now + timedelta(minutes=step.limit_minutes),
        )
        for step in steps
    )


def _tell(incident: Incident, kind: str, actor: User, unit_ids, data: dict) -> None:
    """A case event naming the units that must act (``notifications.RULES``); a drill
    has no case and tells nobody outside it."""
    if incident.case is None:
        return
    data = {**data, "department_ids": sorted({u for u in unit_ids if u})}
    events.record(incident.case, kind, actor=actor, data=data)


def start_plan(incident: Incident, plan: Plan, level, *, actor: User, version=None) -> list[Task]:
    """One click: start ``plan`` at ``level`` on ``incident`` — a task per step of the
    level for its owner unit, due after the step's time limit; the units are told."""
    level = _level(level)
    if not plan.active:
        raise InvalidAction(_("This plan is withdrawn."), "plan")
    if not taxonomy.covers(plan.type_codes, incident.type_code):
        raise InvalidAction(
            _("The plan “%(plan)s” does not cover incidents of type %(type)s.")
            % {"plan": plan.name, "type": incident.type_name},
            "plan",
        )
    defined = _check_plan_level(plan, level)
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(incident, version, actor)
        if not incident.is_open:
            raise InvalidAction(_("The response has ended."))
        if incident.plan_id is not None:
            raise InvalidAction(
                _("A plan is already running; raise or lower its level instead."), "plan"
            )
        tasks = _new_tasks(incident, steps_at(plan, level), now)
        Incident.objects.filter(pk=incident.pk).update(
            plan=plan,
            level=level,
            status=IncidentStatus.RESPONDING,
            version=incident.version + 1,
            lead_unit=incident.lead_unit or defined.lead_unit,
        )
        incident.refresh_from_db()
        incident.member_units.add(*defined.member_units.all())
        log(
            incident,
            LogKind.LEVEL,
            _("Plan “%(plan)s” started at %(level)s: %(n)s tasks given.")
            % {"plan": plan.name, "level": incident.level_label, "n": len(tasks)},
            actor=actor,
            data={"plan": plan.code, "level": level, "tasks": len(tasks)},
            at=now,
        )
        _tell(
            incident,
            PLAN_STARTED,
            actor,
            [t.unit_id for t in tasks],
            {"plan": plan.name, "level": incident.level_label, "tasks": len(tasks)},
        )
        share(incident, actor=actor)
    return tasks


def change_level(
    incident: Incident, level, *, actor: User, version=None, reason: str = ""
) -> Incident:
    """Raise or lower the response level: the new level's steps are given, the live
    tasks of steps the new level does not have are cancelled, shared steps go on."""
    level = _level(level)
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(incident, version, actor)
        if not incident.is_open:
            raise InvalidAction(_("The response has ended."))
        if incident.plan is None:
            raise InvalidAction(_("Start a plan first."), "level")
        if incident.level == level:
            raise InvalidAction(
                _("The response is already at %(level)s.") % {"level": incident.level_label},
                "level",
            )
        defined = _check_plan_level(incident.plan, level)
        steps = steps_at(incident.plan, level)
        keys = {s.key for s in steps}
        kept = set(
            incident.tasks.filter(status__in=(*LIVE_TASKS, TaskStatus.DONE)).values_list(
                "key", flat=True
            )
        )
        dropped = incident.tasks.filter(status__in=LIVE_TASKS).exclude(key__in=keys)
        dropped_units = list(dropped.values_list("unit_id", flat=True))
        cancelled = dropped.update(status=TaskStatus.CANCELLED, ended_at=now)
        added = _new_tasks(incident, [s for s in steps if s.key not in kept], now)
        before = incident.level_label
        Incident.objects.filter(pk=incident.pk).update(level=level, version=incident.version + 1)
        incident.refresh_from_db()
        incident.member_units.add(*defined.member_units.all())
        text = _(
            "Level changed from %(old)s to %(new)s: %(added)s tasks given, %(cancelled)s cancelled."
        ) % {
            "old": before,
            "new": incident.level_label,
            "added": len(added),
            "cancelled": cancelled,
        }
        if reason.strip():
            text += " " + reason.strip()[:500]
        log(
            incident,
            LogKind.LEVEL,
            text,
            actor=actor,
            data={"level": level, "added": len(added), "cancelled": cancelled},
            at=now,
        )
        _tell(
            incident,
            LEVEL_CHANGED,
            actor,
            [t.unit_id for t in added] + dropped_units,
            {"level": incident.level_label, "tasks": len(added), "cancelled": cancelled},
        )
        share(incident, actor=actor)
    return incident


def end_response(incident: Incident, *, actor: User, version=None, reason: str = "") -> Incident:
    """End the response (the termination conditions are met): open tasks are closed."""
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(incident, version, actor)
        if not incident.is_open:
            raise InvalidAction(_("The response has ended already."))
        live = incident.tasks.filter(status__in=LIVE_TASKS)
        units = list(live.values_list("unit_id", flat=True))
        closed = live.update(status=TaskStatus.CLOSED, ended_at=now)
        Incident.objects.filter(pk=incident.pk).update(
            status=IncidentStatus.ENDED, ended_at=now, version=incident.version + 1
        )
        incident.refresh_from_db()
        text = _("Response ended: %(n)s open tasks closed.") % {"n": closed}
        if reason.strip():
            text += " " + reason.strip()[:500]
        log(incident, LogKind.STATUS, text, actor=actor, data={"closed": closed}, at=now)
        _tell(incident, RESPONSE_ENDED, actor, units, {"closed": closed})
    return incident


def assess(incident: Incident, assessment: str, *, actor: User, version=None) -> Incident:
    """Close the incident with its assessment (调查评估), once the final report is in."""
    assessment = (assessment or "").strip()
    if not assessment:
        raise InvalidAction(_("Write the assessment."), "assessment")
    with transaction.atomic():
        incident = _locked(incident, version, actor)
        if incident.status != IncidentStatus.ENDED:
            raise InvalidAction(_("Only an incident whose response has ended is assessed."))
        if not incident.reports.filter(kind=ReportKind.FINAL).exists():
            raise InvalidAction(_("File the final report before the assessment."))
        Incident.objects.filter(pk=incident.pk).update(
            status=IncidentStatus.ASSESSED,
            assessment=assessment[:4000],
            version=incident.version + 1,
        )
        incident.refresh_from_db()
        log(incident, LogKind.STATUS, _("Assessed: %(text)s") % {"text": assessment}, actor=actor)
    return incident


# --- the units' side ------------------------------------------------------------------


def may_work_on(user, task: Task) -> bool:
    """The staff of the task's unit, or the command room on their behalf."""
    if not user.is_authenticated:
        return False
    return task.unit_id in user.department_ids or may_command(user, task.incident)


def _move_task(task: Task, actor: User, frm, fields: dict, line: str, note: str = "") -> Task:
    if not may_work_on(actor, task):
        raise ActionRefused(_("This task belongs to another unit."))
    note = (note or "").strip()[:300]
    with transaction.atomic():
        moved = Task.objects.filter(pk=task.pk, status__in=frm).update(
            **fields, **({"note": note} if note else {})
        )
        task.refresh_from_db()
        if not moved:
            raise InvalidAction(
                _("This task is %(status)s already.") % {"status": task.get_status_display()}
            )
        log(
            task.incident,
            LogKind.TASK,
            f"{line}: {task.measure[:200]}" + (f" · {note}" if note else ""),
            actor=actor,
            data={"task": task.pk, "status": task.status, "unit": task.unit_id},
        )
    return task


def acknowledge(task: Task, *, actor: User) -> Task:
    """The unit has the task (签收)."""
    now = timezone.now()
    return _move_task(
        task,
        actor,
        (TaskStatus.OPEN,),
        {"status": TaskStatus.ACKNOWLEDGED, "acknowledged_at": now, "acknowledged_by": actor},
        _("%(unit)s acknowledged") % {"unit": task.unit.name},
    )


def complete(task: Task, *, actor: User, note: str = "") -> Task:
    """The unit has done the measure."""
    now = timezone.now()
    fields = {"status": TaskStatus.DONE, "done_at": now, "done_by": actor}
    if task.acknowledged_at is None:
        fields.update(acknowledged_at=now, acknowledged_by=actor)
    return _move_task(
        task,
        actor,
        LIVE_TASKS,
        fields,
        _("%(unit)s done") % {"unit": task.unit.name},
        note,
    )


def progress(incident: Incident) -> dict:
    """Counts of the incident's tasks by status, for the progress bar."""
    counts = {s: 0 for s in TaskStatus.values}
    for status in incident.tasks.values_list("status", flat=True):
        counts[status] += 1
    live = counts["open"] + counts["acknowledged"] + counts["done"]
    now = timezone.now()
    overdue = incident.tasks.filter(status__in=LIVE_TASKS, due_at__lt=now).count()
    return {
        **counts,
        "live": live,
        "overdue": overdue,
        "percent": round(100 * counts["done"] / live) if live else 0,
    }
