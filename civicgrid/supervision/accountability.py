"""Accountability (问责): the copy rules that send a case to the discipline inspectors of
its unit, what the inspectors record, and their sign-off (销号).

An inspector holds a ``Role.INSPECTOR`` grant: with a department, they watch that unit;
with regions only, every unit's cases in those regions. A copied case opens to them
through a ``CaseAccess`` row (``cases.access.grant_access``).
"""

from collections import Counter
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Role, RoleGrant, User
from civicgrid.cases import events
from civicgrid.cases.access import grant_access
from civicgrid.cases.lifecycle import Action, ActionRefused, InvalidAction
from civicgrid.cases.models import Case, CaseAccess, CaseEvent, Rating, Status

from .events import COPIED, MEASURE, SIGNED_OFF
from .models import Copy, CopyReason, CopyRule, Inspection, Level, Measure, Order

MAX_TEXT = 2000


def inspectors_for(case: Case) -> list[User]:
    """The inspectors watching ``case``: of its unit, or of a region it lies in."""
    grants = RoleGrant.objects.filter(role=Role.INSPECTOR, user__is_active=True).filter(
        Q(department_id=case.main_department_id) | Q(department__isnull=True)
    )
    paths = [case.region_path] if case.region_path else []
    chosen = []
    for grant in grants.select_related("user").prefetch_related("regions"):
        if grant.department_id or any(p.startswith(m) for p in paths for m in grant.region_paths):
            chosen.append(grant.user)
    return list({u.pk: u for u in chosen}.values())


def _active(reason: str) -> CopyRule | None:
    return CopyRule.objects.filter(reason=reason, active=True).first()


def copy_case(case: Case, reason: str, *, actor: Actor = None) -> Copy | None:
    """Copy ``case`` to its inspectors for ``reason`` when that rule is active; once per
    case (a later rule firing adds nothing). Call inside the caller's transaction."""
    if _active(reason) is None or Copy.objects.filter(case=case).exists():
        return None
    try:
        with transaction.atomic():
            copy = Copy.objects.create(case=case, reason=reason, department=case.main_department)
            inspectors = inspectors_for(case)
            grant_access(case, reason=CaseAccess.Reason.INSPECTION, actor=actor, users=inspectors)
            events.record(
                case,
                COPIED,
                actor=actor,
                data={
                    "reason": reason,
                    "user_ids": [u.pk for u in inspectors],
                },
            )
    except IntegrityError:  # copied a moment ago by another process
        return None
    return copy


def copy_for_order(order: Order) -> None:
    """A listed supervision, or an order of supervision level or above, may be copied."""
    if order.level == Level.LISTED and copy_case(order.case, CopyReason.LISTED):
        return
    if order.level in (Level.SUPERVISION, Level.LISTED):
        copy_case(order.case, CopyReason.SUPERVISION)


def in_listed_categories(case: Case) -> bool:
    rule = _active(CopyReason.CATEGORY)
    category = case.category if case.category_id else None
    if rule is None or category is None:
        return False
    listed = set(rule.categories.values_list("pk", flat=True))
    return any(c.pk in listed for c in category.lineage())


def copy_on_event(event: CaseEvent) -> None:
    """The event consumer (wired in ``civicgrid/wiring/extensions.py``): the rules that
    fire on the lifecycle's moves — a dispatch in a listed category, a second reopening,
    a return the centre overruled (the unit refused what it must do)."""
    if event.action not in (Action.DISPATCH, Action.REOPEN, Action.OVERRULE_RETURN):
        return
    case = Case.objects.select_related("category", "main_department").get(pk=event.case_id)
    with transaction.atomic():
        if event.action == Action.DISPATCH and in_listed_categories(case):
            copy_case(case, CopyReason.CATEGORY)
        elif event.action == Action.REOPEN and case.reopen_count >= 2:
            copy_case(case, CopyReason.SECOND_REOPEN)
        elif event.action == Action.OVERRULE_RETURN:
            copy_case(case, CopyReason.REFUSAL)


# --- the inspector's work --------------------------------------------------------------


def may_inspect(user, copy: Copy) -> bool:
    """An inspector the case was copied to, or one watching its unit."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_role(Role.ADMIN):
        return True
    if not user.has_role(Role.INSPECTOR):
        return False
    if any(
        g.department_id and g.department_id == copy.department_id
        for g in user.grants_for(Role.INSPECTOR)
    ):
        return True
    return CaseAccess.objects.filter(
        case_id=copy.case_id, user=user, reason=CaseAccess.Reason.INSPECTION
    ).exists()


def copies_for(user):
    """The copies ``user`` may work on, unsigned first, newest first."""
    query = Copy.objects.select_related("case", "department", "signed_off_by")
    if not (user.is_superuser or user.has_role(Role.ADMIN)):
        units = [g.department_id for g in user.grants_for(Role.INSPECTOR) if g.department_id]
        mine = CaseAccess.objects.filter(user=user, reason=CaseAccess.Reason.INSPECTION)
        query = query.filter(Q(department_id__in=units) | Q(case_id__in=mine.values("case_id")))
    return query.order_by("-copied_at", "-pk")


def record_measure(
    copy: Copy, *, actor: Actor, measure: str, text: str, due_at: datetime | None = None
) -> Inspection:
    """An enquiry, spot check, warning, rectification order (with its deadline) or formal
    recommendation about a copied case."""
    if actor is None or not may_inspect(actor, copy):
        raise ActionRefused(_("Only the discipline inspectors of this case record measures."))
    if measure not in Measure.values:
        raise InvalidAction(_("Unknown measure."), "measure")
    text = (text or "").strip()
    if not text:
        raise InvalidAction(_("Say what was done or ordered."), "text")
    if len(text) > MAX_TEXT:
        raise InvalidAction(_("At most %(n)d characters.") % {"n": MAX_TEXT}, "text")
    now = timezone.now()
    if measure == Measure.RECTIFICATION:
        if due_at is None:
            raise InvalidAction(_("A rectification order needs a deadline."), "due_at")
        if due_at <= now:
            raise InvalidAction(_("The deadline must be in the future."), "due_at")
    else:
        due_at = None
    if copy.signed_off_at:
        raise InvalidAction(_("This case is signed off; nothing more is recorded on it."))
    with transaction.atomic():
        inspection = Inspection.objects.create(
            copy=copy, measure=measure, text=text, due_at=due_at, by=actor, at=now
        )
        data = {"measure": measure}
        if due_at:
            data["rectify_by"] = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")
        events.record(copy.case, MEASURE, actor=actor, note=text, data=data, at=now)
    return inspection


def sign_off_refusal(case: Case) -> str | None:
    """Why ``case`` cannot be signed off yet, or None: only once the citizen is satisfied
    (rated satisfied or basically satisfied) or the centre closed it."""
    satisfied = case.rating in (Rating.SATISFIED, Rating.BASICALLY)
    if case.status == Status.CLOSED or (case.status == Status.RATED and satisfied):
        return None
    return _(
        "Case %(number)s cannot be signed off yet: it is “%(status)s”. Sign off once the "
        "citizen is satisfied or the centre has closed it."
    ) % {"number": case.number, "status": case.get_status_display()}


def sign_off(copy: Copy, *, actor: Actor, note: str = "") -> Copy:
    """销号: the inspector closes their file on the case."""
    if not may_inspect(actor, copy):
        raise ActionRefused(_("Only the discipline inspectors of this case sign it off."))
    case = Case.objects.get(pk=copy.case_id)
    refusal = sign_off_refusal(case)
    if refusal:
        raise InvalidAction(refusal)
    now = timezone.now()
    with transaction.atomic():
        won = Copy.objects.filter(pk=copy.pk, signed_off_at__isnull=True).update(
            signed_off_at=now, signed_off_by=actor
        )
        if not won:
            raise InvalidAction(_("This case is already signed off."))
        events.record(case, SIGNED_OFF, actor=actor, note=(note or "").strip()[:MAX_TEXT], at=now)
    copy.refresh_from_db()
    return copy


def records_by_unit(since, until) -> dict[int, int]:
    """{department id: accountability records in [since, until)}: the cases copied to
    discipline inspection, and the warnings, rectification orders and formal
    recommendations recorded on them. The assessment's red/black list reads it (the
    wiring connects it: ``assessment.extensions.register_accountability``)."""
    found: Counter = Counter()
    copies = (
        Copy.objects.filter(copied_at__gte=since, copied_at__lt=until, department__isnull=False)
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    for row in copies:
        found[row["department_id"]] += row["n"]
    serious = (Measure.WARNING, Measure.RECTIFICATION, Measure.RECOMMENDATION)
    measures = (
        Inspection.objects.filter(
            at__gte=since, at__lt=until, measure__in=serious, copy__department__isnull=False
        )
        .values("copy__department_id")
        .annotate(n=Count("pk"))
    )
    for unit, n in measures.values_list("copy__department_id", "n"):
        found[unit] += n
    return dict(found)
