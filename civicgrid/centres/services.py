"""The centres' work with other units: the rota of stationed units and the summons of
the one on duty (进驻部门), and the co-handling units' own parts (协办).

Every change is one function taking ``*, actor``, in one transaction, writing its
case event (``cases.events.record``); who hears of it is ``notifications.RULES``.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Role, User
from civicgrid.cases import deadlines, events
from civicgrid.cases.access import grant_access
from civicgrid.cases.lifecycle import Action, ActionRefused, InvalidAction
from civicgrid.cases.models import Case, CaseAccess, CaseEvent
from civicgrid.cases.scope import ScopeRule, refusal_for
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import LimitUnit

from . import events as kinds
from .models import CoPart, DutyMode, DutySummons, Stationing


def co_part_limit() -> tuple[int, str]:
    """How long a co-handling unit has for its part (``CIVICGRID_CO_PART_DAYS`` working
    days, 3 unless set), capped by the main unit's deadline."""
    days = int(getattr(settings, "CIVICGRID_CO_PART_DAYS", 3))
    return (max(days, 1), LimitUnit.WORKING_DAYS)


NOTE_MAX = 1000
REPLY_MAX = 2000

_MODE_ORDER = When_(
    When(mode=DutyMode.PERMANENT, then=Value(0)),
    When(mode=DutyMode.ROTATING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# --- the rota and the summons ------------------------------------------------------


def district_of(case: Case) -> Region | None:
    """The district whose centre the case's stationed units sit in."""
    owner = case.owner_region if case.owner_region_id else None
    path = case.region_path or (owner.path if owner is not None else "")
    codes = [c for c in path.split("/") if c]
    found = Region.objects.filter(code__in=codes, level=Level.DISTRICT).defer("boundary")
    return found.first()


def on_duty(centre: Region | None, day: date | None = None) -> list[Stationing]:
    """The units stationed in ``centre`` on ``day`` (today): permanent ones first, then
    the rotating ones whose turn it is, then those on call."""
    if centre is None:
        return []
    day = day or timezone.localdate()
    rows = Stationing.objects.on(day).filter(centre=centre, department__active=True)
    return list(rows.select_related("department").annotate(rank=_MODE_ORDER).order_by("rank", "pk"))


def may_summon(user, case: Case) -> bool:
    """The centre's dispatchers and leaders whose regions cover the case."""
    return refusal_for(user, case, (Role.DISPATCHER, Role.LEADER), ScopeRule.REGION) is None


def summon(case: Case, stationing: Stationing, *, actor: User, note: str) -> DutySummons:
    """Summon a stationed unit on duty to ``case``: the unit is told (a notification),
    may see the case from now on, and the summons is on the case's timeline."""
    note = (note or "").strip()
    if not may_summon(actor, case):
        raise ActionRefused(_("Only the centre's dispatchers and leaders summon a unit."))
    if not note:
        raise InvalidAction(_("Say what the unit is summoned for."), "note")
    if len(note) > NOTE_MAX:
        raise InvalidAction(_("The note is longer than 1000 characters."), "note")
    if not case.is_open:
        raise InvalidAction(_("This case is closed; there is nothing to summon a unit for."))
    if stationing.pk not in {s.pk for s in on_duty(district_of(case))}:
        raise InvalidAction(
            _("%(unit)s is not on duty in this centre today.") % {"unit": stationing.department},
            "stationing",
        )
    now = timezone.now()
    with transaction.atomic():
        summons = DutySummons.objects.create(
            case=case, stationing=stationing, note=note, by=actor, at=now
        )
        grant_access(
            case,
            reason=CaseAccess.Reason.SUMMONED,
            actor=actor,
            departments=[stationing.department],
        )
        events.record(
            case,
            kinds.SUMMONED,
            actor=actor,
            note=note,
            data={
                "unit": stationing.department.name,
                "mode": stationing.mode,
                "department_ids": [stationing.department_id],
            },
            at=now,
        )
    return summons


# --- co-handling parts -------------------------------------------------------------


def open_parts(event: CaseEvent) -> None:
    """The event consumer (wired in ``civicgrid/wiring/extensions.py``): a dispatch, a
    reassignment or a reopening gives each co-handling unit its part and deadline."""
    if event.action not in (Action.DISPATCH, Action.REASSIGN, Action.REOPEN):
        return
    case = Case.objects.get(pk=event.case_id)
    with transaction.atomic():
        ensure_parts(case, start=event.at)


def ensure_parts(case: Case, *, start=None) -> list[CoPart]:
    """A part for each co-handling unit of ``case`` that has none yet."""
    start = start or timezone.now()
    due = deadlines.add_limit(start, *co_part_limit())
    if case.handle_due_at is not None:
        due = min(due, case.handle_due_at)
    have = set(CoPart.objects.filter(case=case).values_list("department_id", flat=True))
    new = [
        CoPart(case=case, department=d, due_at=due)
        for d in case.co_departments.all()
        if d.pk not in have
    ]
    CoPart.objects.bulk_create(new)
    return new


def may_reply(user, part: CoPart) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_role(Role.ADMIN):
        return True
    return any(g.department_id == part.department_id for g in user.grants_for(Role.HANDLER))


def reply_part(part: CoPart, *, actor: User, reply: str) -> CoPart:
    """The co-handling unit's reply to its part: once, while the case is open; the main
    unit is told and reads it on the case page before it replies."""
    reply = (reply or "").strip()
    if not may_reply(actor, part):
        raise ActionRefused(_("Only the co-handling unit replies to its part."))
    if not reply:
        raise InvalidAction(_("Write what your unit did."), "reply")
    if len(reply) > REPLY_MAX:
        raise InvalidAction(_("The reply is longer than 2000 characters."), "reply")
    now = timezone.now()
    with transaction.atomic():
        locked = CoPart.objects.select_for_update().select_related("case", "department")
        part = locked.get(pk=part.pk)
        if part.replied_at is not None:
            raise InvalidAction(_("Your unit has already replied to its part."), "reply")
        if not part.case.is_open:
            raise InvalidAction(_("This case is closed."), "reply")
        part.reply, part.replied_at, part.replied_by = reply, now, actor
        part.save(update_fields=["reply", "replied_at", "replied_by"])
        events.record(
            part.case,
            kinds.CO_REPLY,
            actor=actor,
            note=reply,
            data={"unit": part.department.name, "late": now > part.due_at},
            at=now,
        )
    return part


def parts_of(case: Case) -> list[CoPart]:
    return list(CoPart.objects.filter(case=case).select_related("department", "replied_by"))


def waiting_parts(actor: Actor, case: Case) -> list[CoPart]:
    """The parts not replied yet, for the main unit's warning before it replies."""
    return [p for p in parts_of(case) if p.replied_at is None]


def intake_defaults(user) -> dict:
    """Where new cases land (分级受理), as the centre's page shows it: the user's own
    centres, each channel's default level and the categories whose rule overrides it."""
    from civicgrid.cases import centres as levels
    from civicgrid.cases.models import Channel
    from civicgrid.regions.models import Region
    from civicgrid.routing.models import LevelRule, StartLevel

    labels = dict(StartLevel.choices)
    own = (
        Region.objects.filter(
            grants__user=user, grants__role__in=levels.CENTRE_ROLES, level__in=levels.CENTRE_LEVELS
        )
        .defer("boundary")
        .distinct()
        .order_by("path")
    )
    starts = levels.channel_starts()
    rules = LevelRule.objects.select_related("category", "unit").order_by("category__code")
    return {
        "centres": [levels.centre_name(r) for r in own],
        "channels": [(label, labels[starts[value]]) for value, label in Channel.choices],
        "rules": [
            {
                "category": str(rule.category) if rule.category_id else "",
                "start": labels.get(rule.start, rule.start),
                "unit": str(rule.unit) if rule.unit_id else "",
            }
            for rule in rules
        ],
    }
