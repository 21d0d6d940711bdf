"""The closed loop: one transition table and one entry point, ``apply``.

Every change of a case's status goes through ``apply``. It checks the move is in
``TRANSITIONS``, that the actor's role and scope allow it, validates what the action
needs, then updates the case *conditionally on the version it read* — so of two
dispatchers racing on one case exactly one wins and the other gets
``ConcurrentUpdate`` — and records the move (``events.record``), which hands it to the
consumers (notifications) after commit.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Role
from civicgrid.routing.models import Department, Step

from . import deadlines, events
from .models import CLOSED_STATUSES, Case, CaseEvent, Status
from .scope import ScopeRule, refusal_for


class Action(models.TextChoices):
    """The moves of the table; notes (events that move nothing) are in ``events``."""

    REGISTER = "register", gettext_lazy("register")
    ANSWER_DIRECTLY = "answer_directly", gettext_lazy("answer directly")
    REFER = "refer", gettext_lazy("refer elsewhere")
    MERGE = "merge", gettext_lazy("merge into another case")
    PLACE = "place", gettext_lazy("place on the map")
    DISPATCH = "dispatch", gettext_lazy("dispatch")
    ACKNOWLEDGE = "acknowledge", gettext_lazy("acknowledge")
    RETURN = "return", gettext_lazy("return as misrouted")
    ACCEPT_RETURN = "accept_return", gettext_lazy("accept the return")
    OVERRULE_RETURN = "overrule_return", gettext_lazy("overrule the return")
    WITHDRAW = "withdraw", gettext_lazy("withdraw to the triage queue")
    REASSIGN = "reassign", gettext_lazy("reassign to another department")
    REQUEST_EXTENSION = "request_extension", gettext_lazy("request an extension")
    APPROVE_EXTENSION = "approve_extension", gettext_lazy("approve the extension")
    REFUSE_EXTENSION = "refuse_extension", gettext_lazy("refuse the extension")
    REPLY = "reply", gettext_lazy("reply")
    VERIFY_PASS = "verify_pass", gettext_lazy("verification passed")
    VERIFY_FAIL = "verify_fail", gettext_lazy("verification failed")
    CALLBACK = "callback", gettext_lazy("call back")
    CLOSE = "close", gettext_lazy("close")
    REOPEN = "reopen", gettext_lazy("reopen")
    ESCALATE = "escalate", gettext_lazy("escalate")
    SEND_BACK = "send_back", gettext_lazy("send back to the lower centre")
    PASS_DOWN = "pass_down", gettext_lazy("pass down to the lower level")
    SOLVE_IN_GRID = "solve_in_grid", gettext_lazy("solved in the grid")
    RAISE_FROM_GRID = "raise_from_grid", gettext_lazy("raise to the community")
    URGE = "urge", gettext_lazy("urge")
    MARK_OVERDUE = "mark_overdue", gettext_lazy("overdue")


events.declare_moves(Action)

S = Status
A = Action
_WATCHED = (
    S.DISPATCHED,
    S.HANDLING,
    S.EXTENSION_REQUESTED,
    S.RETURN_REQUESTED,
    S.REPLIED,
    S.VERIFIED,
)

# (status, action) → new status. The whole loop of DOMAIN.md in one readable table.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("", A.REGISTER): S.REGISTERED,
    (S.REGISTERED, A.ANSWER_DIRECTLY): S.CLOSED,
    (S.REGISTERED, A.REFER): S.CLOSED,
    (S.REGISTERED, A.MERGE): S.MERGED,
    (S.REGISTERED, A.PLACE): S.REGISTERED,
    (S.REGISTERED, A.DISPATCH): S.DISPATCHED,
    (S.REGISTERED, A.ESCALATE): S.REGISTERED,
    (S.DISPATCHED, A.ESCALATE): S.REGISTERED,
    (S.HANDLING, A.ESCALATE): S.REGISTERED,
    # The higher centre hands an escalated case back down; the lower one owns it again.
    (S.REGISTERED, A.SEND_BACK): S.REGISTERED,
    # Levels (分级): a centre passes a case down one level (二级派单: street → community →
    # grid worker), each with its own time limit; the grid worker solves it on site,
    # which is the check on site too, and the centre calls the citizen back.
    (S.REGISTERED, A.PASS_DOWN): S.REGISTERED,
    (S.REGISTERED, A.SOLVE_IN_GRID): S.VERIFIED,
    (S.REGISTERED, A.RAISE_FROM_GRID): S.REGISTERED,
    (S.DISPATCHED, A.ACKNOWLEDGE): S.HANDLING,
    # A department's return (退单) is a request the owning centre reviews: accepted, the
    # case goes back to the queue (or straight to another department: reassign);
    # overruled, back to the department, its handling deadline unchanged.
    (S.DISPATCHED, A.RETURN): S.RETURN_REQUESTED,
    (S.HANDLING, A.RETURN): S.RETURN_REQUESTED,
    (S.RETURN_REQUESTED, A.ACCEPT_RETURN): S.REGISTERED,
    (S.RETURN_REQUESTED, A.OVERRULE_RETURN): S.HANDLING,
    (S.RETURN_REQUESTED, A.REASSIGN): S.DISPATCHED,
    # The centre takes a dispatched case back (撤回) or gives it to another department
    # (改派), a wrong automatic dispatch included.
    (S.DISPATCHED, A.WITHDRAW): S.REGISTERED,
    (S.HANDLING, A.WITHDRAW): S.REGISTERED,
    (S.DISPATCHED, A.REASSIGN): S.DISPATCHED,
    (S.HANDLING, A.REASSIGN): S.DISPATCHED,
    (S.HANDLING, A.REQUEST_EXTENSION): S.EXTENSION_REQUESTED,
    (S.EXTENSION_REQUESTED, A.APPROVE_EXTENSION): S.HANDLING,
    (S.EXTENSION_REQUESTED, A.REFUSE_EXTENSION): S.HANDLING,
    (S.HANDLING, A.REPLY): S.REPLIED,
    (S.REPLIED, A.VERIFY_PASS): S.VERIFIED,
    (S.REPLIED, A.VERIFY_FAIL): S.HANDLING,
    (S.VERIFIED, A.CALLBACK): S.RATED,
    (S.RATED, A.CLOSE): S.CLOSED,
    (S.RATED, A.REOPEN): S.DISPATCHED,
    (S.CLOSED, A.REOPEN): S.DISPATCHED,
    **{(s, A.URGE): s for s in (S.REGISTERED, *_WATCHED)},
    **{(s, A.MARK_OVERDUE): s for s in (S.REGISTERED, *_WATCHED, S.RATED)},
}

CENTRE = (Role.OPERATOR, Role.DISPATCHER, Role.LEADER)
CONTROL = (Role.DISPATCHER, Role.LEADER)
# Who may take each action, and which part of their scope must cover the case. The
# centre's own decisions (triage, dispatch, control after dispatch, reviews) belong to
# the centre that owns the case (``ScopeRule.OWNER``): once a district escalates a case
# to the city, the city decides until it sends the case back; the district still sees
# it and may urge.
PERMISSIONS: dict[str, tuple[tuple[str, ...], ScopeRule]] = {
    A.REGISTER: (
        (Role.OPERATOR, Role.DISPATCHER, Role.GRID_WORKER, Role.MEDIATOR),
        ScopeRule.REGION,
    ),
    A.ANSWER_DIRECTLY: ((Role.OPERATOR, Role.DISPATCHER), ScopeRule.OWNER),
    A.REFER: ((Role.OPERATOR, Role.DISPATCHER), ScopeRule.OWNER),
    A.MERGE: ((Role.OPERATOR, Role.DISPATCHER), ScopeRule.OWNER),
    A.PLACE: ((Role.OPERATOR, Role.DISPATCHER), ScopeRule.OWNER),
    A.DISPATCH: ((Role.DISPATCHER,), ScopeRule.OWNER),
    # A street's mediator escalates what the district owns: the place suffices.
    A.ESCALATE: ((Role.DISPATCHER, Role.LEADER, Role.MEDIATOR), ScopeRule.REGION),
    A.PASS_DOWN: ((Role.OPERATOR, Role.DISPATCHER), ScopeRule.OWNER),
    # The grid worker solves or raises only what was passed down to their grid.
    A.SOLVE_IN_GRID: ((Role.GRID_WORKER,), ScopeRule.HELD),
    A.RAISE_FROM_GRID: ((Role.GRID_WORKER,), ScopeRule.HELD),
    A.ACKNOWLEDGE: ((Role.HANDLER,), ScopeRule.MAIN_DEPARTMENT),
    A.RETURN: ((Role.HANDLER,), ScopeRule.MAIN_DEPARTMENT),
    A.ACCEPT_RETURN: (CONTROL, ScopeRule.OWNER),
    A.OVERRULE_RETURN: (CONTROL, ScopeRule.OWNER),
    A.WITHDRAW: (CONTROL, ScopeRule.OWNER),
    A.SEND_BACK: (CONTROL, ScopeRule.OWNER),
    A.REASSIGN: (CONTROL, ScopeRule.OWNER),
    A.REQUEST_EXTENSION: ((Role.HANDLER,), ScopeRule.MAIN_DEPARTMENT),
    A.APPROVE_EXTENSION: (CONTROL, ScopeRule.OWNER),
    A.REFUSE_EXTENSION: (CONTROL, ScopeRule.OWNER),
    A.REPLY: ((Role.HANDLER,), ScopeRule.MAIN_DEPARTMENT),
    A.VERIFY_PASS: ((Role.GRID_WORKER, Role.DISPATCHER), ScopeRule.GRID),
    A.VERIFY_FAIL: ((Role.GRID_WORKER, Role.DISPATCHER), ScopeRule.GRID),
    A.CALLBACK: ((Role.OPERATOR,), ScopeRule.REGION),
    A.CLOSE: (CENTRE, ScopeRule.REGION),
    A.REOPEN: (CENTRE, ScopeRule.REGION),
    A.URGE: ((Role.DISPATCHER, Role.LEADER), ScopeRule.REGION),
    A.MARK_OVERDUE: ((), ScopeRule.SYSTEM),
}

# Actions the system may also take on its own (actor None), besides the roles above:
# the triage worker dispatches when the model is confident enough (triage.auto); a
# citizen rates their own case on its tracking page, the token being the proof
# (citizens.services.rate), which is the callback.
SYSTEM_MAY = frozenset({A.DISPATCH, A.CALLBACK})

MAX_EXTENSION_DAYS = 10


class LifecycleError(Exception):
    """A refused action; ``message`` is translated and safe to show to the user."""

    code = "refused"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        # The input the message is about, so forms and the API can point at it.
        self.errors = {field: self.message} if field else {}


class TransitionNotAllowed(LifecycleError):
    code = "transition_not_allowed"


class ActionRefused(LifecycleError):
    code = "forbidden"


class InvalidAction(LifecycleError):
    code = "invalid"


class ConcurrentUpdate(LifecycleError):
    code = "conflict"


@dataclass
class Change:
    """What an action does to the case besides its status."""

    fields: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    co_departments: list[Department] | None = None
    step_from: datetime | None = None
    public: bool = True
    # The move's own time limit (``deadlines.MOVE_LIMITS``): the step clock restarts now.
    limit: deadlines.Limit | None = None
    # Writes to other rows, run inside the same transaction once the move has won.
    also: list[Callable[[], Any]] = field(default_factory=list)


def allowed_actions(status: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == status]


def check(case: Case, action: str, actor: Actor) -> None:
    """Raise unless ``actor`` may take ``action`` on ``case`` now."""
    if (case.status, action) not in TRANSITIONS:
        raise TransitionNotAllowed(
            _("A case that is “%(status)s” cannot be “%(action)s”.")
            % {"status": case.get_status_display(), "action": action_label(action)}
        )
    if actor is None and action in SYSTEM_MAY:
        return
    roles, rule = PERMISSIONS[action]
    reason = refusal_for(actor, case, roles, rule)
    if reason:
        raise ActionRefused(reason)


def can(case: Case, action: str, actor: Actor) -> bool:
    try:
        check(case, action, actor)
    except LifecycleError:
        return False
    return True


def apply(case: Case, action: str, *, actor: Actor, note: str = "", **data) -> CaseEvent:
    """Take ``action`` on ``case`` as ``actor``; the one way a case changes status."""
    check(case, action, actor)
    from .action_rules import prepare_for

    prepare = prepare_for(action)
    change = prepare(case, note.strip(), data, actor)
    old_status, old_version = case.status, case.version
    new_status = TRANSITIONS[(old_status, action)]
    now = timezone.now()
    fields = {"status": new_status, "updated_at": now, **change.fields}
    if "owner_region" in fields:  # its copy, read by the scope filters
        fields["owner_path"] = fields["owner_region"].path if fields["owner_region"] else ""
    if change.limit is not None:
        warn, due = deadlines.window(now, change.limit)
        fields.update(step_started_at=now, warn_at=warn, due_at=due)
    elif new_status != old_status or change.step_from:
        start = change.step_from or now
        if deadlines.STEP_OF_STATUS.get(new_status) == Step.HANDLE and not change.step_from:
            # The handling clock started at dispatch and runs on through acknowledgement
            # and extension requests.
            start = case.step_started_at or now
        fields.update(clock_fields(case, new_status, start, fields))
    if new_status in CLOSED_STATUSES:
        fields.setdefault("closed_at", now)
    with transaction.atomic():
        won = Case.objects.filter(pk=case.pk, status=old_status, version=old_version).update(
            version=F("version") + 1, **fields
        )
        if not won:
            raise ConcurrentUpdate(
                _("Someone else changed case %(number)s a moment ago; reload and try again.")
                % {"number": case.number}
            )
        if change.co_departments is not None:
            case.co_departments.set(change.co_departments)
        for write in change.also:
            write()
        for name, value in fields.items():
            setattr(case, name, value)
        case.version = old_version + 1
        event = events.record(
            case,
            action,
            actor=actor,
            note=note.strip(),
            data=change.data,
            public=change.public,
            from_status=old_status,
            to_status=new_status,
            at=now,
        )
    return event


def clock_fields(case: Case, status: str, start: datetime, fields: dict) -> dict:
    """New step deadline columns for a case entering ``status`` at ``start``."""
    step = deadlines.step_of(status, fields.get("rating", case.rating))
    if step is None:
        return {"step_started_at": None, "warn_at": None, "due_at": None}
    limit = deadlines.limit_for(case.category, case.urgency, step)
    due = fields.get("handle_due_at", case.handle_due_at) if step == Step.HANDLE else None
    if due is None:
        warn, due = deadlines.window(start, limit)
    else:
        warn = start + (due - start) * limit.yellow_at if due > start else due
    return {"step_started_at": start, "warn_at": warn, "due_at": due}


REFERRAL_KINDS = {
    "emergency": gettext_lazy("urgent danger: handed to 110/119/120/122"),
    "police_matter": gettext_lazy("a police matter: handed (back) to 110"),
    "legal_channel": gettext_lazy("has its own legal channel (court, arbitration, review)"),
    "repeat": gettext_lazy("repeat with nothing new: earlier answer given"),
    "confidential": gettext_lazy("secret or private matter"),
    "outside_duty": gettext_lazy("outside any government duty"),
    "unlawful": gettext_lazy("unlawful demand: persuaded"),
}


def action_label(action: str) -> str:
    """An action (or event kind) in the reader's language; the raw action when unknown.

    The one label of an action: pages, the API, notifications and the timeline use it,
    and the public's plain words (``publication.public_label``) fall back to it.
    """
    return events.label(action)
