"""Batch actions on a hot issue's cases: merge them into one, urge them all, or name a
lead unit (牵头单位).

Each case goes through ``cases.lifecycle.apply`` on its own, as if acted on from its
page: its timeline shows the move, the scope and the lifecycle table decide, and a case
the lifecycle refuses is skipped with the reason while the others go on. The batch is a
``HotIssueBatch`` row keyed by the form's key, written before any case is touched: the
same form sent twice (or at once from two tabs) acts once, and the second gets the
first's result.

Naming a lead unit dispatches every case still awaiting triage to that department as
main department, with the co-handling departments chosen (协办); a case already
dispatched keeps its department and is reported as skipped — moving it is a
reassignment, taken case by case.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role, User
from civicgrid.cases import lifecycle, limits
from civicgrid.cases.lifecycle import Action, ActionRefused, InvalidAction, LifecycleError
from civicgrid.cases.models import Case, Status
from civicgrid.cases.services import KEY_PATTERN
from civicgrid.routing.models import Department

from .models import HotIssue, HotIssueBatch
from .queries import hot_issue_cases

# A batch finishes within the request up to this many cases.
MAX_CASES = 200

Batch = HotIssueBatch.Action
# The lifecycle move each batch action takes on every case.
MOVE = {Batch.MERGE: Action.MERGE, Batch.URGE: Action.URGE, Batch.LEAD: Action.DISPATCH}
# Who runs batches: the region's dispatchers and leaders (each move's own roles apply too).
BATCH_ROLES = (Role.DISPATCHER, Role.LEADER)


@dataclass
class Request:
    """A batch as the form gives it."""

    action: str
    numbers: list[str]
    reason: str
    key: str
    into: str = ""
    lead: Department | None = None
    co: tuple[Department, ...] = ()


@dataclass
class Outcome:
    batch: HotIssueBatch
    replayed: bool


def actions_for(user) -> list[str]:
    """The batch actions ``user`` may take: a dispatcher's or leader's whose role the
    move's row of the lifecycle's permissions names."""
    if not (user.is_superuser or user.has_role(Role.ADMIN) or user.has_role(*BATCH_ROLES)):
        return []
    allowed: list[str] = []
    for batch, move in MOVE.items():
        roles = set(lifecycle.PERMISSIONS[move][0]) & set(BATCH_ROLES)
        if user.is_superuser or user.has_role(Role.ADMIN) or user.has_role(*roles):
            allowed.append(batch)
    return allowed


def check(issue: HotIssue, request: Request, *, actor: User) -> list[Case]:
    """The cases the batch will act on, in order; raises ``LifecycleError`` (changing
    nothing) for a batch that cannot run at all."""
    if request.action not in MOVE:
        raise InvalidAction(_("Choose what to do with the cases."), "action")
    if request.action not in actions_for(actor):
        raise ActionRefused(
            _("Your role (%(role)s) cannot take this action.") % {"role": actor.roles_display}
        )
    if not KEY_PATTERN.fullmatch(request.key or ""):
        raise InvalidAction(_("The form has expired; open the hot issue again."), "key")
    reason = request.reason.strip()
    if not reason:
        raise InvalidAction(_("Give one reason for the whole batch."), "reason")
    if len(reason) > limits.NOTE:
        raise InvalidAction(
            _("The reason may have at most %(max)d characters.") % {"max": limits.NOTE}, "reason"
        )
    chosen = set(request.numbers)
    cases = [c for c in hot_issue_cases(actor, issue) if c.number in chosen]
    if not cases:
        raise InvalidAction(_("Choose at least one case of this hot issue."), "cases")
    if len(cases) > MAX_CASES:
        raise InvalidAction(_("At most %(max)d cases at once.") % {"max": MAX_CASES}, "cases")
    if request.action == Batch.MERGE:
        main = next((c for c in hot_issue_cases(actor, issue) if c.number == request.into), None)
        if main is None or not main.is_open:
            raise InvalidAction(_("Choose the open case of this issue to merge into."), "into")
    if request.action == Batch.LEAD and request.lead is None:
        raise InvalidAction(_("Choose the lead unit."), "lead")
    cases.sort(key=lambda c: (c.created_at, c.pk))
    return cases


def run(issue: HotIssue, request: Request, *, actor: User) -> Outcome:
    """Take the batch's move on each chosen case of ``issue``; refusals are per case.

    Raises ``LifecycleError`` before touching any case when the batch itself is wrong
    (no reason, no case, a role that may not, a main case that is not open).
    """
    earlier = HotIssueBatch.objects.filter(user=actor, key=request.key).first()
    if earlier is not None:
        # Sent again (a double click, a second tab): what the first one did.
        return Outcome(earlier, replayed=True)
    cases = check(issue, request, actor=actor)
    try:
        with transaction.atomic():
            batch = HotIssueBatch.objects.create(
                user=actor,
                key=request.key,
                issue_key=issue.key,
                action=request.action,
                reason=request.reason.strip(),
                target=_target(request),
                asked=len(cases),
            )
    except IntegrityError:
        return Outcome(HotIssueBatch.objects.get(user=actor, key=request.key), replayed=True)
    done, skipped = [], []
    for case in cases:
        why = _skip_reason(case, request)
        if why is None:
            try:
                _act(case, request, actor)
            except LifecycleError as error:
                why = error.message
        if why is None:
            done.append(case.number)
        else:
            skipped.append([case.number, why])
    HotIssueBatch.objects.filter(pk=batch.pk).update(
        done=done, skipped=skipped, finished_at=timezone.now()
    )
    batch.refresh_from_db()
    return Outcome(batch, replayed=False)


def _target(request: Request) -> str:
    if request.action == Batch.MERGE:
        return request.into
    if request.action == Batch.LEAD and request.lead is not None:
        return request.lead.name[:100]
    return ""


def _skip_reason(case: Case, request: Request) -> str | None:
    """Why a case is left out before the lifecycle is asked, in the user's words."""
    if case.status == Status.CLOSED:
        return _("already closed")
    if case.status == Status.MERGED:
        return _("already merged")
    if request.action == Batch.MERGE and case.number == request.into:
        return _("the main case")
    if request.action == Batch.LEAD and case.main_department_id is not None:
        if request.lead is not None and case.main_department_id == request.lead.pk:
            return _("already with the lead unit")
        department = case.main_department
        name = department.name if department else ""
        return _("already dispatched to %(department)s") % {"department": name}
    return None


def _act(case: Case, request: Request, actor: User) -> None:
    note = request.reason.strip()
    move = MOVE[Batch(request.action)]
    if request.action == Batch.MERGE:
        lifecycle.apply(case, move, actor=actor, note=note, into=request.into)
    elif request.action == Batch.LEAD:
        lifecycle.apply(
            case,
            move,
            actor=actor,
            note=note,
            main_department=request.lead,
            co_departments=list(request.co),
        )
    else:
        lifecycle.apply(case, move, actor=actor, note=note)


def summary(batch: HotIssueBatch) -> str:
    """ "47 merged, 6 skipped: 5 already closed, 1 …" in the user's language."""
    done = len(batch.done)
    words = {
        Batch.MERGE: _("%(n)d merged"),
        Batch.URGE: _("%(n)d urged"),
        Batch.LEAD: _("%(n)d dispatched to the lead unit"),
    }
    text = words[Batch(batch.action)] % {"n": done}
    if not batch.skipped:
        return text
    reasons: dict[str, int] = {}
    for _number, why in batch.skipped:
        reasons[why] = reasons.get(why, 0) + 1
    parts = "; ".join(f"{n} {why}" for why, n in reasons.items())
    return _("%(done)s, %(n)d skipped: %(reasons)s") % {
        "done": text,
        "n": len(batch.skipped),
        "reasons": parts,
    }
