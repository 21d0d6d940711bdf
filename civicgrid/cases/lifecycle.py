"""The closed loop: one transition table and one entry point, ``apply``.

Every change of a case's status goes through ``apply``. It checks the move is in
``TRANSITIONS``, that the actor's role and scope allow it, validates what the action
needs, then updates the case *conditionally on the version it read* — so of two
dispatchers racing on one case exactly one wins and the other gets
``ConcurrentUpdate`` — and appends a ``CaseEvent``. Notifications go out after commit.
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

from civicgrid.accounts.models import Role
from civicgrid.regions.models import Level
from civicgrid.routing.models import Department, Step

from . import deadlines
from .models import CLOSED_STATUSES, Case, CaseEvent, Rating, Status
from .scope import ScopeRule, refusal_for


class Action(models.TextChoices):
    REGISTER = "register", gettext_lazy("register")
    ANSWER_DIRECTLY = "answer_directly", gettext_lazy("answer directly")
    REFER = "refer", gettext_lazy("refer elsewhere")
    MERGE = "merge", gettext_lazy("merge into another case")
    PLACE = "place", gettext_lazy("place on the map")
    DISPATCH = "dispatch", gettext_lazy("dispatch")
    ACKNOWLEDGE = "acknowledge", gettext_lazy("acknowledge")
    RETURN = "return", gettext_lazy("return as misrouted")
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
    URGE = "urge", gettext_lazy("urge")
    MARK_OVERDUE = "mark_overdue", gettext_lazy("overdue")
    MERGED_FROM = "merged_from", gettext_lazy("another case merged in")
    RECOMPUTE_DEADLINE = "recompute_deadline", gettext_lazy("deadline recomputed")
    ADD_FILE = "add_file", gettext_lazy("file added")


S = Status
A = Action
_WATCHED = (S.DISPATCHED, S.HANDLING, S.EXTENSION_REQUESTED, S.REPLIED, S.VERIFIED)

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
    (S.DISPATCHED, A.ACKNOWLEDGE): S.HANDLING,
    (S.DISPATCHED, A.RETURN): S.REGISTERED,
    (S.HANDLING, A.RETURN): S.REGISTERED,
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
    **{(s, A.MARK_OVERDUE): s for s in (S.REGISTERED, *_WATCHED)},
}

CENTRE = (Role.OPERATOR, Role.DISPATCHER, Role.LEADER)
# Who may take each action, and which part of their scope must cover the case.
PERMISSIONS: dict[str, tuple[tuple[str, ...], ScopeRule]] = {
    A.REGISTER: (
        (Role.OPERATOR, Role.DISPATCHER, Role.GRID_WORKER, Role.MEDIATOR),
        ScopeRule.REGION,
    ),
    A.ANSWER_DIRECTLY: ((Role.OPERATOR, Role.DISPATCHER), ScopeRule.REGION),
    A.REFER: ((Role.OPERATOR, Role.DISPATCHER), ScopeRule.REGION),
    A.MERGE: ((Role.OPERATOR, Role.DISPATCHER), ScopeRule.REGION),
    A.PLACE: ((Role.OPERATOR, Role.DISPATCHER), ScopeRule.REGION),
    A.DISPATCH: ((Role.DISPATCHER,), ScopeRule.REGION),
    A.ESCALATE: ((Role.DISPATCHER, Role.LEADER, Role.MEDIATOR), ScopeRule.REGION),
    A.ACKNOWLEDGE: ((Role.HANDLER,), ScopeRule.MAIN_DEPARTMENT),
    A.RETURN: ((Role.HANDLER,), ScopeRule.MAIN_DEPARTMENT),
    A.REQUEST_EXTENSION: ((Role.HANDLER,), ScopeRule.MAIN_DEPARTMENT),
    A.APPROVE_EXTENSION: ((Role.DISPATCHER, Role.LEADER), ScopeRule.REGION),
    A.REFUSE_EXTENSION: ((Role.DISPATCHER, Role.LEADER), ScopeRule.REGION),
    A.REPLY: ((Role.HANDLER,), ScopeRule.MAIN_DEPARTMENT),
    A.VERIFY_PASS: ((Role.GRID_WORKER, Role.DISPATCHER), ScopeRule.GRID),
    A.VERIFY_FAIL: ((Role.GRID_WORKER, Role.DISPATCHER), ScopeRule.GRID),
    A.CALLBACK: ((Role.OPERATOR,), ScopeRule.REGION),
    A.CLOSE: (CENTRE, ScopeRule.REGION),
    A.REOPEN: (CENTRE, ScopeRule.REGION),
    A.URGE: ((Role.DISPATCHER, Role.LEADER), ScopeRule.REGION),
    A.MARK_OVERDUE: ((), ScopeRule.SYSTEM),
}

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
    # Writes to other rows, run inside the same transaction once the move has won.
    also: list[Callable[[], Any]] = field(default_factory=list)


def allowed_actions(status: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == status]


def check(case: Case, action: str, actor) -> None:
    """Raise unless ``actor`` may take ``action`` on ``case`` now."""
    if (case.status, action) not in TRANSITIONS:
        raise TransitionNotAllowed(
            _("A case that is “%(status)s” cannot be “%(action)s”.")
            % {"status": case.get_status_display(), "action": _label(action)}
        )
    roles, rule = PERMISSIONS[action]
    reason = refusal_for(actor, case, roles, rule)
    if reason:
        raise ActionRefused(reason)


def can(case: Case, action: str, actor) -> bool:
    try:
        check(case, action, actor)
    except LifecycleError:
        return False
    return True


def apply(case: Case, action: str, *, actor, note: str = "", **data) -> CaseEvent:
    """Take ``action`` on ``case`` as ``actor``; the one way a case changes status."""
    check(case, action, actor)
    prepare = _PREPARE.get(action, _nothing)
    change = prepare(case, note.strip(), data, actor)
    old_status, old_version = case.status, case.version
    new_status = TRANSITIONS[(old_status, action)]
    now = timezone.now()
    fields = {"status": new_status, "updated_at": now, **change.fields}
    if new_status != old_status or change.step_from:
        start = change.step_from or now
        if deadlines.STEP_OF_STATUS.get(new_status) == Step.HANDLE and not change.step_from:
            # The handling clock started at dispatch and runs on through acknowledgement
            # and extension requests.
            start = case.step_started_at or now
        fields.update(_clock(case, new_status, start, fields))
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
        event = CaseEvent.objects.create(
            case=case,
            at=now,
            actor=actor,
            action=action,
            from_status=old_status,
            to_status=new_status,
            note=note.strip(),
            data=change.data,
            public=change.public,
        )
        for name, value in fields.items():
            setattr(case, name, value)
        case.version = old_version + 1
        _after(case, event)
    return event


def _clock(case: Case, status: str, start: datetime, fields: dict) -> dict:
    """New step deadline columns for a case entering ``status`` at ``start``."""
    step = deadlines.STEP_OF_STATUS.get(status)
    if step is None:
        return {"step_started_at": None, "warn_at": None, "due_at": None}
    limit = deadlines.limit_for(case.category, case.urgency, step)
    due = fields.get("handle_due_at", case.handle_due_at) if step == Step.HANDLE else None
    if due is None:
        warn, due = deadlines.window(start, limit)
    else:
        warn = start + (due - start) * limit.yellow_at if due > start else due
    return {"step_started_at": start, "warn_at": warn, "due_at": due}


def _after(case: Case, event: CaseEvent) -> None:
    from civicgrid.notifications.services import notify_for_event

    # The event and its case are in memory: no need to read them back.
    transaction.on_commit(lambda: notify_for_event(event))


# --- what each action needs and changes ------------------------------------------


def _require(value, message, field: str = "note") -> Any:
    if value in (None, "", []):
        raise InvalidAction(message, field)
    return value


def _nothing(case, note, data, actor=None) -> Change:
    return Change()


def _need_note(message) -> Callable[..., Change]:
    def prepare(case, note, data, actor=None) -> Change:
        _require(note, message)
        return Change()

    return prepare


def _answer_directly(case, note, data, actor=None) -> Change:
    answer = _require((data.get("answer") or note).strip(), _("Write the answer given."), "answer")
    return Change(
        fields={"reply": answer, "outcome": "answered_directly"},
        data={"knowledge_entry": data.get("knowledge_entry")},
    )


REFERRAL_KINDS = {
    "emergency": gettext_lazy("urgent danger: handed to 110/119/120/122"),
    "legal_channel": gettext_lazy("has its own legal channel (court, arbitration, review)"),
    "repeat": gettext_lazy("repeat with nothing new: earlier answer given"),
    "confidential": gettext_lazy("secret or private matter"),
    "outside_duty": gettext_lazy("outside any government duty"),
    "unlawful": gettext_lazy("unlawful demand: persuaded"),
}


def _refer(case, note, data, actor=None) -> Change:
    kind = data.get("kind")
    if kind not in REFERRAL_KINDS:
        raise InvalidAction(_("Choose why the case is referred elsewhere."), "kind")
    _require(note, _("Explain the referral to the citizen."))
    return Change(fields={"outcome": f"referred:{kind}", "reply": note}, data={"kind": kind})


def _merge(case, note, data, actor=None) -> Change:
    target = data.get("into")
    if not isinstance(target, Case):
        target = Case.objects.filter(number=str(target or "").strip()).first()
    roles = PERMISSIONS[A.MERGE][0]
    if target is None or (
        actor is not None and refusal_for(actor, target, roles, ScopeRule.REGION)
    ):
        # A case outside the actor's scope is not revealed: it "does not exist".
        raise InvalidAction(_("There is no case with that number to merge into."), "into")
    if target.pk == case.pk:
        raise InvalidAction(_("A case cannot be merged into itself."), "into")
    if not target.is_open:
        raise InvalidAction(
            _("Case %(number)s is closed; merge into an open case.") % {"number": target.number}
        )

    def record_on_target():
        CaseEvent.objects.create(
            case=target,
            action=A.MERGED_FROM,
            from_status=target.status,
            to_status=target.status,
            data={"case": case.number},
            note=note,
        )

    return Change(
        fields={"merged_into": target, "outcome": "merged"},
        data={"into": target.number},
        also=[record_on_target],
    )


def _place(case, note, data, actor=None) -> Change:
    from civicgrid.regions.locator import locate

    from .services import position_fields

    try:
        location = locate(float(data["lng"]), float(data["lat"]), data.get("datum", "wgs84"))
    except (KeyError, TypeError, ValueError) as exc:
        message = str(exc) if isinstance(exc, ValueError) and str(exc) else ""
        raise InvalidAction(
            message or _("Give the position as longitude and latitude."), "lng"
        ) from exc
    if location.grid is None:
        raise InvalidAction(
            _("That point is outside every grid; pick a point inside the district."), "lng"
        )
    fields = position_fields(location)
    return Change(fields=fields, data={"grid": location.grid.code})


def _departments(data) -> tuple[Department, list[Department]]:
    main = data.get("main_department")
    if not isinstance(main, Department):
        main = Department.objects.filter(pk=main, active=True).first() if main else None
    if main is None:
        raise InvalidAction(_("Choose the main department."), "main_department")
    co = data.get("co_departments") or []
    co = [
        d if isinstance(d, Department) else Department.objects.filter(pk=d, active=True).first()
        for d in co
    ]
    if any(d is None for d in co):
        raise InvalidAction(
            _("One of the co-handling departments does not exist."), "co_departments"
        )
    return main, [d for d in co if d.pk != main.pk]


def _dispatch(case, note, data, actor=None) -> Change:
    main, co = _departments(data)
    now = timezone.now()
    _warn, handle_due = deadlines.step_window(case.category, case.urgency, Step.HANDLE, now)
    return Change(
        fields={"main_department": main, "handle_due_at": handle_due, "extension_days": 0},
        co_departments=co,
        data={"main_department": main.name, "co_departments": [d.name for d in co]},
    )


def _return(case, note, data, actor=None) -> Change:
    _require(note, _("Say why the case is not yours: returning needs a reason."))
    return Change(
        fields={"main_department": None, "handle_due_at": None},
        co_departments=[],
        data={"department": case.main_department.name if case.main_department else ""},
    )


def _request_extension(case, note, data, actor=None) -> Change:
    try:
        days = int(data.get("days") or 0)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS - case.extension_days:
        raise InvalidAction(
            _("An extension is 1 to %(max)d working days in all; this case has %(left)d left.")
            % {"max": MAX_EXTENSION_DAYS, "left": MAX_EXTENSION_DAYS - case.extension_days},
            "days",
        )
    _require(note, _("Say why more time is needed."))
    return Change(data={"days": days})


def _pending_extension_days(case) -> int:
    event = case.events.filter(action=A.REQUEST_EXTENSION).order_by("-at", "-id").first()
    return int(event.data.get("days", 0)) if event else 0


def _approve_extension(case, note, data, actor=None) -> Change:
    days = _pending_extension_days(case)
    base = case.handle_due_at or timezone.now()
    new_due = deadlines.add_limit(base, days, "working_days")
    return Change(
        fields={"handle_due_at": new_due, "extension_days": case.extension_days + days},
        data={"days": days, "due_at": new_due.isoformat()},
    )


def _reply(case, note, data, actor=None) -> Change:
    text = _require(
        (data.get("reply") or note).strip(), _("Write the reply to the citizen."), "reply"
    )
    return Change(fields={"reply": text})


def _verify_fail(case, note, data, actor=None) -> Change:
    _require(note, _("Describe what is still wrong on site."))
    now = timezone.now()
    _warn, handle_due = deadlines.step_window(case.category, case.urgency, Step.HANDLE, now)
    return Change(fields={"handle_due_at": handle_due}, data={"rework": True}, step_from=now)


def _callback(case, note, data, actor=None) -> Change:
    rating = data.get("rating")
    if rating not in Rating.values:
        raise InvalidAction(
            _("Record the citizen's rating: satisfied, basically satisfied or unsatisfied."),
            "rating",
        )
    return Change(fields={"rating": rating}, data={"rating": rating})


def _close(case, note, data, actor=None) -> Change:
    if case.rating == Rating.UNSATISFIED:
        raise InvalidAction(_("The citizen is unsatisfied: reopen the case instead of closing it."))
    return Change(fields={"outcome": case.outcome or "resolved"})


def _reopen(case, note, data, actor=None) -> Change:
    _require(note, _("Say why the case is reopened."))
    if case.main_department_id is None:
        raise InvalidAction(_("This case was never dispatched; register a new case instead."))
    now = timezone.now()
    _warn, handle_due = deadlines.step_window(case.category, case.urgency, Step.HANDLE, now)
    return Change(
        fields={
            "reopen_count": case.reopen_count + 1,
            "rating": "",
            "closed_at": None,
            "handle_due_at": handle_due,
            "extension_days": 0,
            "outcome": "",
        },
        data={"rating": case.rating},
    )


def _escalate(case, note, data, actor=None) -> Change:
    _require(note, _("Say why the case needs a higher level."))
    target = data.get("to", "parent")
    owner = case.owner_region
    if target == "joint":
        district = (
            next((r for r in owner.lineage() if r.level == Level.DISTRICT), owner)
            if owner
            else None
        )
        return Change(
            fields={"joint_consultation": True, "owner_region": district},
            data={"to": "joint", "region": district.name if district else ""},
        )
    parent = owner.parent if owner else None
    if parent is None or parent.level not in (Level.DISTRICT, Level.STREET, Level.CITY):
        raise InvalidAction(
            _("There is no higher centre to escalate to; ask for a joint consultation."), "to"
        )
    return Change(fields={"owner_region": parent}, data={"to": "parent", "region": parent.name})


def _mark_overdue(case, note, data, actor=None) -> Change:
    return Change(
        fields={"overdue_marked_for": case.due_at},
        data={"due_at": case.due_at.isoformat() if case.due_at else None},
        public=False,
    )


_PREPARE: dict[str, Callable[..., Change]] = {
    A.ANSWER_DIRECTLY: _answer_directly,
    A.REFER: _refer,
    A.MERGE: _merge,
    A.PLACE: _place,
    A.DISPATCH: _dispatch,
    A.RETURN: _return,
    A.REQUEST_EXTENSION: _request_extension,
    A.APPROVE_EXTENSION: _approve_extension,
    A.REFUSE_EXTENSION: _need_note(gettext_lazy("Say why the extension is refused.")),
    A.REPLY: _reply,
    A.VERIFY_FAIL: _verify_fail,
    A.CALLBACK: _callback,
    A.CLOSE: _close,
    A.REOPEN: _reopen,
    A.ESCALATE: _escalate,
    A.URGE: _need_note(gettext_lazy("Write what the urging notice says.")),
    A.MARK_OVERDUE: _mark_overdue,
}


def _label(action: str) -> str:
    try:
        return str(Action(action).label)
    except ValueError:
        return action
