"""Supervision orders, their automatic escalation, on-site records and joint reviews, as
rules the views, the API and the ``supervise`` command only call.

Concurrency: an order changes only by a conditional update on the state it was read in,
and a unit has at most one active order per case (a unique constraint), so two
``supervise`` runs at once, or a run and a person, never issue or raise twice.
"""

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Role, User
from civicgrid.cases import events
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import CLOSED_STATUSES, Case, Status
from civicgrid.cases.scope import ScopeRule, refusal_for
from civicgrid.cases.services import attach, checked_files
from civicgrid.core.calendar import get_calendar
from civicgrid.routing.models import Department

from . import accountability
from .events import ORDER, ORDER_CLOSED, RAISED, RESPONSE, REVIEW, SITE_VISIT
from .models import (
    ACTIVE,
    RANK,
    Level,
    Order,
    OrderStatus,
    Review,
    ReviewKind,
    ReviewTask,
    SiteVisit,
    next_level,
)
from .rules import rule

logger = logging.getLogger(__name__)

# Who issues orders, closes them and records visits and reviews: the centre's control.
CENTRE = (Role.DISPATCHER, Role.LEADER)
# The statuses in which a case's lateness is its unit's.
UNIT_STATUSES = (Status.DISPATCHED, Status.HANDLING, Status.EXTENSION_REQUESTED)
MAX_TEXT = 2000


def _stamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _text(value: str, field: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidAction(missing, field)
    if len(value) > MAX_TEXT:
        raise InvalidAction(_("At most %(n)d characters.") % {"n": MAX_TEXT}, field)
    return value


def response_due(level: str, start: datetime) -> datetime:
    """When a unit must respond to an order of ``level`` issued at ``start``."""
    return get_calendar().add_working_days(start, rule().respond_within[Level(level)])


def may_supervise(user, case: Case) -> bool:
    return refusal_for(user, case, CENTRE, ScopeRule.REGION) is None


def _person(actor: Actor, case: Case) -> User:
    """A record made by a person of the centre (never by the rule)."""
    if actor is None:
        raise ActionRefused(_("Sign in first."))
    _check_centre(actor, case)
    return actor


def _check_centre(actor: Actor, case: Case) -> None:
    if actor is None:
        return  # the escalation rule
    refusal = refusal_for(actor, case, CENTRE, ScopeRule.REGION)
    if refusal:
        raise ActionRefused(refusal)


def units_of(case: Case) -> list[Department]:
    """The units an order about ``case`` may go to: its main and co-handling departments."""
    main = case.main_department if case.main_department_id else None
    units = [main] if main is not None else []
    return units + [d for d in case.co_departments.all() if d.pk != case.main_department_id]


# --- orders -------------------------------------------------------------------------


def issue(
    case: Case,
    department: Department,
    level: str,
    *,
    actor: Actor,
    reason: str,
    public: bool = False,
    now: datetime | None = None,
) -> Order:
    """An order of ``level`` to ``department`` about ``case``; an active lower order of the
    unit is raised to it instead. ``public`` only for a listed supervision."""
    _check_centre(actor, case)
    if level not in Level.values:
        raise InvalidAction(_("Unknown supervision level."), "level")
    reason = _text(reason, "reason", _("Say why the unit is supervised."))
    if not case.is_open:
        raise InvalidAction(_("The case is closed; it cannot be supervised."))
    if department.pk not in {d.pk for d in units_of(case)}:
        raise InvalidAction(_("This unit does not handle this case."), "department")
    if public and level != Level.LISTED:
        raise InvalidAction(_("Only a listed supervision is shown to the public."), "public")
    now = now or timezone.now()
    active = Order.objects.filter(case=case, department=department, status__in=ACTIVE).first()
    if active is not None:
        if RANK[Level(active.level)] >= RANK[Level(level)]:
            raise InvalidAction(
                _("%(unit)s already has an order of this level or higher on this case.")
                % {"unit": department.name},
                "level",
            )
        if not raise_order(active, level, actor=actor, reason=reason, public=public, now=now):
            raise InvalidAction(_("Someone else changed this order a moment ago; reload."))
        active.refresh_from_db()
        return active
    try:
        with transaction.atomic():
            order = Order.objects.create(
                case=case,
                department=department,
                level=level,
                issued_by=actor,
                issued_at=now,
                due_at=response_due(level, now),
                reason=reason,
                public=public,
            )
            events.record(
                case,
                ORDER,
                actor=actor,
                note=reason,
                data=_order_data(order),
                public=order.public,
                at=now,
            )
            accountability.copy_for_order(order)
    except IntegrityError:
        raise InvalidAction(
            _("%(unit)s was given an order on this case a moment ago; reload.")
            % {"unit": department.name}
        ) from None
    return order


def _order_data(order: Order) -> dict:
    return {
        "order_id": order.pk,
        "level": order.level,
        "unit": order.department.name,
        "department_ids": [order.department_id],
        "respond_by": _stamp(order.due_at),
    }


def raise_order(
    order: Order,
    level: str,
    *,
    actor: Actor,
    reason: str,
    public: bool = False,
    now: datetime | None = None,
) -> bool:
    """Raise an active order to ``level``, a new response due; False when another run or
    person changed it first (nothing is written then)."""
    now = now or timezone.now()
    due = response_due(level, now)
    with transaction.atomic():
        won = Order.objects.filter(
            pk=order.pk, level=order.level, status=order.status, status__in=ACTIVE
        ).update(
            level=level,
            status=OrderStatus.OPEN,
            due_at=due,
            raised_at=now,
            public=public or order.public,
        )
        if not won:
            return False
        order.refresh_from_db()
        events.record(
            order.case,
            RAISED,
            actor=actor,
            note=reason,
            data=_order_data(order),
            public=order.public,
            at=now,
        )
        accountability.copy_for_order(order)
    return True


def may_respond(user, order: Order) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_role(Role.ADMIN):
        return True
    return any(g.department_id == order.department_id for g in user.grants_for(Role.HANDLER))


def respond(order: Order, *, actor: Actor, response: str, done_by: date | None) -> Order:
    """The unit's written response: what was done and by when it will be (or was) done."""
    if not may_respond(actor, order):
        raise ActionRefused(_("Only the supervised unit responds to its order."))
    response = _text(response, "response", _("Say what your unit has done."))
    if done_by is None:
        raise InvalidAction(_("Say by when it will be done."), "done_by")
    now = timezone.now()
    if done_by < timezone.localdate(order.issued_at):
        raise InvalidAction(_("The date it is done by cannot be before the order."), "done_by")
    with transaction.atomic():
        won = Order.objects.filter(
            pk=order.pk, status__in=(OrderStatus.OPEN, OrderStatus.OVERDUE)
        ).update(
            status=OrderStatus.RESPONDED,
            response=response,
            done_by=done_by,
            responded_at=now,
            responded_by=actor,
        )
        if not won:
            raise InvalidAction(_("This order was already responded to or closed."))
        events.record(
            order.case,
            RESPONSE,
            actor=actor,
            note=response,
            data={
                "level": order.level,
                "unit": order.department.name,
                "done_by": done_by.isoformat(),
                "late": now > order.due_at,
            },
            at=now,
        )
    order.refresh_from_db()
    return order


def close(order: Order, *, actor: Actor, note: str = "", now: datetime | None = None) -> bool:
    """Close an active order (the centre, or the rule once the case is closed)."""
    _check_centre(actor, order.case)
    now = now or timezone.now()
    with transaction.atomic():
        won = Order.objects.filter(pk=order.pk, status__in=ACTIVE).update(
            status=OrderStatus.CLOSED, closed_at=now
        )
        if won:
            events.record(
                order.case,
                ORDER_CLOSED,
                actor=actor,
                note=note,
                data={"level": order.level, "unit": order.department.name},
                at=now,
            )
    return bool(won)


# --- the escalation rule ----------------------------------------------------------------

Progress = Callable[[str], None]


def supervise(now: datetime | None = None, progress: Progress | None = None) -> Counter:
    """One pass of the escalation rule; idempotent, safe with another pass at once.

    1. orders of closed cases are closed;
    2. an order not responded to in time rises one level (or is marked overdue at the
       top, or when the rule does not raise);
    3. a case past its deadline gets an order to its unit at the level its lateness
       reaches (``rules.case_late``), or its unit's order is raised to it.
    """
    now = now or timezone.now()
    say = progress or (lambda _line: None)
    outcomes: Counter = Counter()
    _close_settled(now, outcomes)
    say(_("closed with their cases: %(n)d") % {"n": outcomes["closed"]})
    _escalate_late_responses(now, outcomes)
    say(
        _("raised for a late response: %(raised)d, marked overdue: %(overdue)d")
        % {"raised": outcomes["raised_response"], "overdue": outcomes["overdue"]}
    )
    _supervise_late_cases(now, outcomes, say)
    return outcomes


def _close_settled(now: datetime, outcomes: Counter) -> None:
    settled = Order.objects.filter(
        status__in=ACTIVE, case__status__in=CLOSED_STATUSES
    ).select_related("case", "department")
    for order in settled.iterator(chunk_size=500):
        if close(order, actor=None, note=_("The case is closed."), now=now):
            outcomes["closed"] += 1


def _escalate_late_responses(now: datetime, outcomes: Counter) -> None:
    escalation = rule()
    late = Order.objects.filter(status=OrderStatus.OPEN, due_at__lt=now).select_related(
        "case", "department"
    )
    for order in late.iterator(chunk_size=500):
        higher = next_level(order.level) if escalation.raise_when_response_late else None
        if higher is not None:
            reason = _("No response from %(unit)s by %(due)s.") % {
                "unit": order.department.name,
                "due": _stamp(order.due_at),
            }
            if raise_order(order, higher, actor=None, reason=reason, now=now):
                outcomes["raised_response"] += 1
            continue
        if Order.objects.filter(pk=order.pk, status=OrderStatus.OPEN).update(
            status=OrderStatus.OVERDUE
        ):
            outcomes["overdue"] += 1


def days_late(due_at: datetime, now: datetime) -> float:
    """Working days from ``due_at`` to ``now``."""
    calendar = get_calendar()
    return calendar.working_minutes_between(due_at, now) / calendar.minutes_per_day


def _supervise_late_cases(now: datetime, outcomes: Counter, say: Progress) -> None:
    escalation = rule()
    first = escalation.first_threshold
    if first is None:
        return
    # A working day is never shorter than its working minutes: a cheap first cut in SQL.
    cut = now - timedelta(minutes=first * get_calendar().minutes_per_day)
    late = (
        Case.objects.filter(status__in=UNIT_STATUSES, main_department__isnull=False)
        .filter(due_at__lt=cut)
        .select_related("main_department")
        .order_by("pk")
    )
    total = late.count()
    seen = 0
    for chunk in _chunks(late, 500):
        active = {
            (o.case_id, o.department_id): o
            for o in Order.objects.filter(
                case_id__in=[c.pk for c in chunk], status__in=ACTIVE
            ).select_related("department")
        }
        for case in chunk:
            _supervise_case(case, active.get((case.pk, case.main_department_id)), now, outcomes)
        seen += len(chunk)
        say(_("late cases looked at: %(seen)d of %(total)d") % {"seen": seen, "total": total})


def _chunks(queryset, size: int):
    batch: list = []
    for row in queryset.iterator(chunk_size=size):
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _supervise_case(case: Case, active: Order | None, now: datetime, outcomes: Counter) -> None:
    unit, due = case.main_department, case.due_at
    if unit is None or due is None:  # the query selects neither
        return
    late = days_late(due, now)
    level = rule().level_for_lateness(late)
    if level is None:
        return
    reason = _("Case %(number)s is %(days).1f working days past its deadline (%(due)s).") % {
        "number": case.number,
        "days": late,
        "due": _stamp(due),
    }
    if active is None:
        try:
            issue(case, unit, level, actor=None, reason=reason, now=now)
        except InvalidAction as refused:  # another run issued it first
            logger.info("not issued on %s: %s", case.number, refused.message)
            return
        outcomes["issued"] += 1
    elif RANK[Level(active.level)] < RANK[Level(level)]:
        active.case = case
        if raise_order(active, level, actor=None, reason=reason, now=now):
            outcomes["raised_late_case"] += 1


# --- on-site supervision and joint reviews ---------------------------------------------


def record_visit(
    case: Case,
    *,
    actor: Actor,
    visitors: str,
    visited_at: datetime | None,
    findings: str,
    photos: Sequence = (),
) -> SiteVisit:
    """An on-site supervision (现场督办): who went, when, what they found, photos."""
    person = _person(actor, case)
    visitors = _text(visitors, "visitors", _("Say who went on site."))[:200]
    findings = _text(findings, "findings", _("Say what was found on site."))
    now = timezone.now()
    if visited_at is None:
        raise InvalidAction(_("Say when the visit took place."), "visited_at")
    if visited_at > now:
        raise InvalidAction(_("A visit is recorded once it took place."), "visited_at")
    files = checked_files(list(photos))  # before the transaction: cleaning costs CPU
    with transaction.atomic():
        event = events.record(
            case,
            SITE_VISIT,
            actor=actor,
            note=findings,
            data={"visitors": visitors},
            at=now,
        )
        visit = SiteVisit.objects.create(
            case=case,
            visitors=visitors,
            visited_at=visited_at,
            findings=findings,
            recorded_by=person,
            event=event,
        )
        for photo in files:
            attach(case, photo, actor=actor, event=event)
    return visit


def record_review(
    case: Case,
    *,
    actor: Actor,
    kind: str,
    held_at: datetime | None,
    minutes: str,
    decision: str,
    tasks: Sequence[tuple[Department, str, datetime | None]],
    leaders: str = "",
) -> Review:
    """A joint review (会商) or a "1+N" leader consultation, with a task per unit."""
    person = _person(actor, case)
    if kind not in ReviewKind.values:
        raise InvalidAction(_("Unknown kind of review."), "kind")
    minutes = _text(minutes, "minutes", _("Write down what the meeting said."))
    decision = _text(decision, "decision", _("Write down the decision."))
    leaders = (leaders or "").strip()[:300]
    if kind == ReviewKind.LEADERS and not leaders:
        raise InvalidAction(_("List the leaders of the consultation."), "leaders")
    if held_at is None:
        raise InvalidAction(_("Say when the meeting was held."), "held_at")
    now = timezone.now()
    if not tasks:
        raise InvalidAction(_("Give at least one unit a task."), "tasks")
    checked: list[tuple[Department, str, datetime]] = []
    for unit, task, due in tasks:
        task = _text(task, "tasks", _("Say what each unit must do."))
        if due is None or due <= now:
            raise InvalidAction(_("Each task needs a deadline in the future."), "tasks")
        checked.append((unit, task, due))
    with transaction.atomic():
        review = Review.objects.create(
            case=case,
            kind=kind,
            held_at=held_at,
            leaders=leaders,
            minutes=minutes,
            decision=decision,
            recorded_by=person,
        )
        made = ReviewTask.objects.bulk_create(
            ReviewTask(review=review, department=unit, task=task, due_at=due)
            for unit, task, due in checked
        )
        events.record(
            case,
            REVIEW,
            actor=actor,
            note=minutes,
            data={
                "kind": kind,
                "leaders": leaders,
                "decision": decision,
                "tasks": [f"{t.department.name}：{t.task}（{_stamp(t.due_at)}）" for t in made],
                "department_ids": sorted({t.department_id for t in made}),
            },
            at=now,
        )
    return review


# --- the leaders' list ---------------------------------------------------------------


def open_orders():
    """Active orders, the most pressing first (highest level, nearest deadline), with
    what the list shows in the same query."""
    return orders_by_pressure(Order.objects.filter(status__in=ACTIVE))


def orders_by_pressure(orders=None):
    """``orders`` (every active one when None), highest level and nearest deadline first."""
    from django.db.models import Case as SqlCase
    from django.db.models import IntegerField, Value, When

    rank = SqlCase(
        *(When(level=level, then=Value(RANK[level])) for level in Level),
        output_field=IntegerField(),
    )
    if orders is None:
        orders = Order.objects.filter(status__in=ACTIVE)
    return (
        orders.annotate(rank=rank)
        .select_related("case", "department", "issued_by")
        .order_by("-rank", "due_at", "pk")
    )
