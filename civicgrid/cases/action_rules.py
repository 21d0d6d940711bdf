"""What each lifecycle action needs and changes, besides the status.

``lifecycle.apply`` looks the move up in its table and checks who may take it; then the
rule here validates the action's input (raising ``InvalidAction`` naming the input)
and says which other fields change (a ``Change``).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Role
from civicgrid.regions.models import Level, Region
from civicgrid.routing import leaves
from civicgrid.routing.models import Category, Department, DepartmentKind, LimitUnit, Step

from . import centres, deadlines, events
from .extensions import answer_source
from .lifecycle import (
    MAX_EXTENSION_DAYS,
    PERMISSIONS,
    REFERRAL_KINDS,
    A,
    Change,
    InvalidAction,
)
from .models import CallbackResult, Case, Rating, Status
from .scope import ScopeRule, refusal_for


def _require(value, message, field: str = "note") -> Any:
    if value in (None, "", []):
        raise InvalidAction(message, field)
    return value


def _nothing(case, note, data, actor: Actor = None) -> Change:
    return Change()


def _need_note(message) -> Callable[..., Change]:
    def prepare(case, note, data, actor: Actor = None) -> Change:
        _require(note, message)
        return Change()

    return prepare


def _answer_directly(case, note, data, actor: Actor = None) -> Change:
    answer = _require((data.get("answer") or note).strip(), _("Write the answer given."), "answer")
    # The entry must exist and be in force today (raises InvalidAction otherwise).
    entry = answer_source("knowledge_entry", data.get("knowledge_entry"))
    return Change(
        fields={"reply": answer, "outcome": "answered_directly"},
        # The answer is kept with its event: the public reads it there (publication).
        data={"knowledge_entry": entry, "reply": answer},
    )


def _refer(case, note, data, actor: Actor = None) -> Change:
    kind = data.get("kind")
    if kind not in REFERRAL_KINDS:
        raise InvalidAction(_("Choose why the case is referred elsewhere."), "kind")
    _require(note, _("Explain the referral to the citizen."))
    return Change(
        fields={"outcome": f"referred:{kind}", "reply": note}, data={"kind": kind, "reply": note}
    )


def _merge(case, note, data, actor: Actor = None) -> Change:
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
        # Cases merged into this one follow it, so every merged case points at the case
        # that is handled (see ``close_merged``).
        Case.objects.filter(merged_into=case).update(merged_into=target)
        events.record(
            target, events.Note.MERGED_FROM, actor=None, data={"case": case.number}, note=note
        )

    return Change(
        fields={"merged_into": target, "outcome": "merged"},
        data={"into": target.number},
        also=[record_on_target],
    )


def _place(case, note, data, actor: Actor = None) -> Change:
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
    fields = position_fields(location, case.category, case.channel)
    fields.pop("_unit", None)
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


def _recategorised(case, category, actor: Actor) -> Category | None:
    """The category a dispatch sets, when it names one other than the case's.

    A case is filed under a leaf ("040203 噪音污染", never "04 环境保护"), by a person or
    by the triage worker (which narrows the model's first-level guess to a leaf, or
    leaves the case to a dispatcher: ``triage.auto.leaf_for``).
    """
    if category in (None, ""):
        return None
    if not isinstance(category, Category):
        category = Category.objects.filter(pk=category, active=True).first()
    if category is None or not category.active:
        raise InvalidAction(_("That category does not exist or is no longer used."), "category")
    if not leaves.is_leaf(category):
        raise InvalidAction(
            _("“%(category)s” has subcategories: choose the one that fits.")
            % {"category": f"{category.code} {category.name}"},
            "category",
        )
    return None if category.pk == case.category_id else category


def _dispatch(case, note, data, actor: Actor = None) -> Change:
    main, co = _departments(data)
    fields = {"main_department": main, "extension_days": 0}
    event = {
        "main_department": main.name,
        # The unit by its id as well: names repeat across districts (assessment reads it).
        "department_id": main.pk,
        "co_departments": [d.name for d in co],
    }
    category = _recategorised(case, data.get("category"), actor)
    if category is not None:
        # The dispatcher (or the triage model) corrects the category: the deadlines
        # below and the step clocks apply won't see the old one.
        fields["category"] = case.category = category
        event["category"] = f"{category.code} {category.name}"
    event.update(data.get("triage") or {})
    now = timezone.now()
    _warn, fields["handle_due_at"] = deadlines.step_window(
        case.category, case.urgency, Step.HANDLE, now
    )
    return Change(
        fields=fields,
        co_departments=co,
        data=event,
    )


def _return(case, note, data, actor: Actor = None) -> Change:
    """A department asks to give the case back: it waits for the centre's review, still
    the department's, its handling deadline aside (kept for an overruling)."""
    _require(note, _("Say why the case is not yours: returning needs a reason."))
    since = case.step_started_at
    return Change(
        data={
            "department": case.main_department.name if case.main_department else "",
            # Whose return it is: the department's inbox lists it until decided, and after.
            "department_id": case.main_department_id,
            # Where the handling clock started: an overruled return resumes it there.
            "handling_since": since.isoformat() if since else None,
        }
    )


def _returning(case) -> str:
    return case.main_department.name if case.main_department else ""


def _losing(case) -> list[int]:
    # The departments that lose the case, for who hears of it (notifications' rules).
    main = [case.main_department_id] if case.main_department_id else []
    return main + [d.pk for d in case.co_departments.all() if d.pk not in main]


def _accept_return(case, note, data, actor: Actor = None) -> Change:
    """The centre agrees the case is not the department's: back to the triage queue."""
    return Change(
        fields={"main_department": None, "handle_due_at": None, "extension_days": 0},
        co_departments=[],
        data={"department": _returning(case), "department_ids": _losing(case)},
    )


def _overrule_return(case, note, data, actor: Actor = None) -> Change:
    """The centre holds the department to the case: it goes on handling it, to the
    deadline it had (a return overruled gains no time)."""
    _require(note, _("Say why the case stays with the department: overruling needs a reason."))
    asked = case.events.filter(action=A.RETURN).order_by("-at", "-id").first()
    since = asked.data.get("handling_since") if asked else None
    return Change(
        data={"department": _returning(case)},
        step_from=datetime.fromisoformat(since) if since else None,
    )


def _withdraw(case, note, data, actor: Actor = None) -> Change:
    """The centre takes a dispatched case back to its triage queue (撤回)."""
    _require(note, _("Say why the case is withdrawn: withdrawing needs a reason."))
    return Change(
        fields={"main_department": None, "handle_due_at": None, "extension_days": 0},
        co_departments=[],
        data={"withdrawn_from": _returning(case), "department_ids": _losing(case)},
    )


def _handling_unit(value) -> Department:
    """The department a case is reassigned to: an active handling unit, not a centre."""
    department = value
    if not isinstance(department, Department):
        try:
            department = Department.objects.filter(pk=int(value), active=True).first()
        except (TypeError, ValueError):
            department = None
    if department is None or not department.active:
        raise InvalidAction(_("Choose the department that takes the case over."), "main_department")
    if department.kind == DepartmentKind.CENTRE:
        raise InvalidAction(
            _("%(name)s is a command centre, not a handling department.")
            % {"name": department.name},
            "main_department",
        )
    return department


def _reassign(case, note, data, actor: Actor = None) -> Change:
    """The centre gives the case straight to another department (改派), or accepts a
    return and re-dispatches it in the same step. The new department's clocks start
    now, by the time limits of the case's category and urgency."""
    new = _handling_unit(data.get("main_department"))
    if new.pk == case.main_department_id:
        raise InvalidAction(
            _("The case is already with %(name)s; choose another department.") % {"name": new.name},
            "main_department",
        )
    _require(note, _("Say why the case goes to another department: reassigning needs a reason."))
    now = timezone.now()
    _warn, handle_due = deadlines.step_window(case.category, case.urgency, Step.HANDLE, now)
    event = {
        "from_department": _returning(case),
        "main_department": new.name,
        "department_id": new.pk,
        "return_accepted": case.status == Status.RETURN_REQUESTED,
        "department_ids": _losing(case),
    }
    return Change(
        fields={"main_department": new, "handle_due_at": handle_due, "extension_days": 0},
        co_departments=[d for d in case.co_departments.all() if d.pk != new.pk],
        data=event,
        step_from=now,
    )


def _request_extension(case, note, data, actor: Actor = None) -> Change:
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


def _approve_extension(case, note, data, actor: Actor = None) -> Change:
    days = _pending_extension_days(case)
    base = case.handle_due_at or timezone.now()
    new_due = deadlines.add_limit(base, days, "working_days")
    return Change(
        fields={"handle_due_at": new_due, "extension_days": case.extension_days + days},
        data={"days": days, "due_at": new_due.isoformat()},
    )


def _reply(case, note, data, actor: Actor = None) -> Change:
    text = _require(
        (data.get("reply") or note).strip(), _("Write the reply to the citizen."), "reply"
    )
    # Kept with its event too: the public reads each reply there, never the event's note.
    return Change(fields={"reply": text}, data={"reply": text})


def _verify_fail(case, note, data, actor: Actor = None) -> Change:
    _require(note, _("Describe what is still wrong on site."))
    now = timezone.now()
    _warn, handle_due = deadlines.step_window(case.category, case.urgency, Step.HANDLE, now)
    if case.extension_days:
        # The rework gets the handling time again, and keeps the days granted before.
        handle_due = deadlines.add_limit(handle_due, case.extension_days, LimitUnit.WORKING_DAYS)
    return Change(fields={"handle_due_at": handle_due}, data={"rework": True}, step_from=now)


def _verify_pass(case, note, data, actor: Actor = None) -> Change:
    # A new callback round starts: no tries yet, the first one due now.
    return Change(fields={"callback_tries": 0, "callback_next_at": None, "callback_result": ""})


def _callback(case, note, data, actor: Actor = None) -> Change:
    from .callbacks import RETRIED, Outcome, is_last_try, max_tries

    rating = data.get("rating")
    outcome = data.get("outcome")
    if not rating and outcome in Outcome.values:
        # The round ends without a rating (``callbacks``): refused, or the last try failed.
        if outcome in RETRIED and not is_last_try(case):
            raise InvalidAction(
                _("Try %(attempt)d of %(max)d reached nobody: schedule the next try instead.")
                % {"attempt": case.callback_tries + 1, "max": max_tries()},
                "rating",
            )
        result = (
            CallbackResult.REFUSED if outcome == Outcome.REFUSED else CallbackResult.NOT_REACHED
        )
        tries = case.callback_tries + (outcome in RETRIED)
        return Change(
            fields={
                "rating": "",
                "callback_result": result,
                "callback_tries": tries,
                "callback_next_at": None,
            },
            data={"outcome": outcome, "result": result, "attempt": case.callback_tries + 1},
        )
    if rating not in Rating.values:
        raise InvalidAction(
            _("Record the citizen's rating: satisfied, basically satisfied or unsatisfied."),
            "rating",
        )
    recorded = {"rating": rating}
    if data.get("by") == "citizen":  # rated on the tracking page, not by phone
        # The citizen's words go into the data, not the note: public notes are published
        # (Open311), and a comment may name people.
        recorded.update(by="citizen", comment=str(data.get("comment") or "")[:1000])
    else:
        recorded["attempt"] = case.callback_tries + 1
    return Change(
        fields={
            "rating": rating,
            "callback_result": CallbackResult.REACHED,
            "callback_next_at": None,
        },
        data=recorded,
    )


def _close(case, note, data, actor: Actor = None) -> Change:
    if case.rating == Rating.UNSATISFIED:
        raise InvalidAction(_("The citizen is unsatisfied: reopen the case instead of closing it."))
    return Change(fields={"outcome": case.outcome or "resolved"})


def _reopen(case, note, data, actor: Actor = None) -> Change:
    _require(note, _("Say why the case is reopened."))
    if case.main_department_id is None:
        raise InvalidAction(_("This case was never dispatched; register a new case instead."))
    now = timezone.now()
    _warn, handle_due = deadlines.step_window(case.category, case.urgency, Step.HANDLE, now)
    return Change(
        fields={
            "reopen_count": case.reopen_count + 1,
            "rating": "",
            "callback_result": "",
            "closed_at": None,
            "handle_due_at": handle_due,
            "extension_days": 0,
            "outcome": "",
        },
        data={"rating": case.rating},
    )


def _escalate(case, note, data, actor: Actor = None) -> Change:
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
    if parent is None or parent.level not in (
        Level.DISTRICT,
        Level.STREET,
        Level.COMMUNITY,
        Level.CITY,
    ):
        if owner is not None and owner.level == Level.CITY:
            raise InvalidAction(
                _(
                    "Case %(number)s is already with %(centre)s, the highest centre; "
                    "ask for a joint consultation instead."
                )
                % {"number": case.number, "centre": owner.name},
                "to",
            )
        raise InvalidAction(
            _("There is no higher centre to escalate to; ask for a joint consultation."), "to"
        )
    return Change(
        fields={"owner_region": parent},
        data={"to": "parent", "region": parent.name, **centres.event_data(parent)},
        limit=deadlines.move_limit(case.urgency, "escalate"),
    )


def _raise_from_grid(case, note, data, actor: Actor = None) -> Change:
    """The grid worker raises a case passed down to their grid back to the community
    (提级), with the reason and the move's own time limit."""
    _require(note, _("Say why the case needs a higher level."))
    owner = case.owner_region if case.owner_region_id else None
    parent = owner.parent if owner is not None and owner.level == Level.GRID else None
    if parent is None:
        raise InvalidAction(_("This case is not held in a grid."))
    return Change(
        fields={"owner_region": parent},
        data={"to": "parent", "region": parent.name, **centres.event_data(parent)},
        limit=deadlines.move_limit(case.urgency, "escalate"),
    )


def _pass_down(case, note, data, actor: Actor = None) -> Change:
    """Two-level dispatch (二级派单): the centre holding the case hands it one level
    down where it lies — district → street, street → community, community → the grid
    worker — with what the lower level should do and the move's own time limit."""
    _require(note, _("Say what the lower level should do with the case."))
    owner = case.owner_region if case.owner_region_id else None
    lower = centres.next_down(case)
    if owner is None or owner.level == Level.CITY or lower is None:
        raise InvalidAction(
            _("There is no lower level where this case lies; dispatch it yourself."), "to"
        )
    move = "pass_to_grid" if lower.level == Level.GRID else "pass_down"
    if lower.level == Level.GRID and not _has_grid_worker(lower):
        raise InvalidAction(
            _("No grid worker works in %(grid)s; handle the case at this level.")
            % {"grid": lower.name},
            "to",
        )
    return Change(
        fields={"owner_region": lower},
        data={"region": lower.name, "from": owner.name, **centres.event_data(lower)},
        limit=deadlines.move_limit(case.urgency, move),
    )


def _has_grid_worker(grid: Region) -> bool:
    from civicgrid.accounts.models import RoleGrant

    prefixes = [p for p in grid.path.split("/") if p]
    paths = ["/".join(prefixes[: i + 1]) + "/" for i in range(len(prefixes))]
    return RoleGrant.objects.filter(
        role=Role.GRID_WORKER, regions__path__in=paths, user__is_active=True
    ).exists()


def _solve_in_grid(case, note, data, actor: Actor = None) -> Change:
    """The grid worker solved it on site (小事不出网格): the reply to the citizen, and
    the check on site in one; the centre calls the citizen back."""
    text = _require(
        (data.get("reply") or note).strip(), _("Write what was done, for the citizen."), "reply"
    )
    return Change(
        fields={"reply": text, "callback_tries": 0, "callback_next_at": None},
        data={"reply": text, **centres.event_data(case.owner_region)},
    )


def _send_back(case, note, data, actor: Actor = None) -> Change:
    """The centre that owns an escalated case hands it to the centre one level down
    where the case lies, which owns it again."""
    _require(note, _("Say why the case goes back to the lower centre."))
    owner = case.owner_region
    lower = None
    if owner is not None and case.region_path.startswith(owner.path):
        below = case.region_path[len(owner.path) :].split("/", 1)[0]
        lower = Region.objects.filter(path=f"{owner.path}{below}/").first() if below else None
    if lower is None or lower.level not in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
        raise InvalidAction(
            _("There is no lower centre where this case lies; dispatch it yourself."), "to"
        )
    return Change(
        fields={"owner_region": lower},
        data={"region": lower.name, **centres.event_data(lower)},
        limit=deadlines.move_limit(case.urgency, "send_back"),
    )


def _closing(prepare: Callable[..., Change]) -> Callable[..., Change]:
    """A move that closes a case closes the cases merged into it as well (one handling)."""

    def closing(case, note, data, actor: Actor = None) -> Change:
        change = prepare(case, note, data, actor)
        reply = change.fields.get("reply", case.reply)
        change.also.append(lambda: close_merged(case, actor, reply))
        return change

    return closing


def close_merged(case, actor: Actor, reply: str) -> int:
    """Give the cases merged into ``case`` its close time and reply, each with an event.

    They stay "merged" (their status never changes again); the event tells each of their
    reporters that the case carrying on was closed.
    """
    merged = list(Case.objects.filter(merged_into=case, status=Status.MERGED).only("status"))
    if not merged:
        return 0
    now = timezone.now()
    Case.objects.filter(pk__in=[m.pk for m in merged]).update(
        closed_at=now, reply=reply, updated_at=now, version=F("version") + 1
    )
    events.record_each(
        merged, events.Note.CLOSED_WITH, actor=actor, data={"into": case.number}, at=now
    )
    return len(merged)


def _mark_overdue(case, note, data, actor: Actor = None) -> Change:
    return Change(
        fields={"overdue_marked_for": case.due_at},
        data={"due_at": case.due_at.isoformat() if case.due_at else None},
        public=False,
    )


PREPARE: dict[str, Callable[..., Change]] = {
    A.ANSWER_DIRECTLY: _closing(_answer_directly),
    A.REFER: _closing(_refer),
    A.MERGE: _merge,
    A.PLACE: _place,
    A.DISPATCH: _dispatch,
    A.RETURN: _return,
    A.ACCEPT_RETURN: _accept_return,
    A.OVERRULE_RETURN: _overrule_return,
    A.WITHDRAW: _withdraw,
    A.REASSIGN: _reassign,
    A.REQUEST_EXTENSION: _request_extension,
    A.APPROVE_EXTENSION: _approve_extension,
    A.REFUSE_EXTENSION: _need_note(gettext_lazy("Say why the extension is refused.")),
    A.REPLY: _reply,
    A.VERIFY_PASS: _verify_pass,
    A.VERIFY_FAIL: _verify_fail,
    A.CALLBACK: _callback,
    A.CLOSE: _closing(_close),
    A.REOPEN: _reopen,
    A.ESCALATE: _escalate,
    A.SEND_BACK: _send_back,
    A.PASS_DOWN: _pass_down,
    A.SOLVE_IN_GRID: _solve_in_grid,
    A.RAISE_FROM_GRID: _raise_from_grid,
    A.URGE: _need_note(gettext_lazy("Write what the urging notice says.")),
    A.MARK_OVERDUE: _mark_overdue,
}


def prepare_for(action: str) -> Callable[..., Change]:
    return PREPARE.get(action, _nothing)
