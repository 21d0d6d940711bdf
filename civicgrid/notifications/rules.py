"""Who must act after each case event: one table, ``RULES``, one line per event action.

An :class:`Audience` is a group of people found from the event and its case — the
handlers of the main department, the dispatchers whose regions cover the case's place,
whoever holds its current step, the departments an event names. A :class:`Rule` names
the audiences of one action and, optionally, when it applies. A new kind of event that
needs someone's action is one more line::

    "alert_repeated": notify(STEP_HOLDER),

Department audiences also name the departments whose own systems get the webhook.
Building a rule costs no query until its audience is asked for, and an action without
a rule (or whose ``when`` says no) costs none at all: a normal intake stays cheap.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from civicgrid.accounts.models import Role
from civicgrid.cases.events import Note
from civicgrid.cases.lifecycle import A, S
from civicgrid.cases.models import Rating
from civicgrid.routing.models import Urgency

NOBODY = Q(pk__in=[])


def _prefixes(path: str) -> list[str]:
    """``"37/3705/370502/"`` → every ancestor-or-self path: a user's region covers it."""
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]


def _covering(paths: Sequence[str], roles: Sequence[str]) -> Q:
    prefixes = [p for path in paths if path for p in _prefixes(path)]
    if not prefixes:
        return NOBODY
    return Q(grants__role__in=roles, grants__regions__path__in=prefixes)


def _place_and_centre(case) -> list[str]:
    return [case.region_path, case.owner_region.path if case.owner_region_id else ""]


def _centre(case) -> list[str]:
    return [case.owner_region.path if case.owner_region_id else ""]


def _grid(case) -> list[str]:
    return [case.region_path]


@dataclass
class Reach:
    """Whom an event reaches: a filter on users, and departments for their webhooks."""

    users: Q = NOBODY
    departments: list[int] = field(default_factory=list)

    def __or__(self, other: "Reach") -> "Reach":
        return Reach(self.users | other.users, self.departments + other.departments)


@dataclass(frozen=True)
class Audience:
    """People who may have to act on a case, found by ``find`` from the case or event."""

    name: str
    find: Callable[..., Reach]


def staff(name: str, *roles: str, where: Callable = _place_and_centre) -> Audience:
    """Users of ``roles`` whose regions cover the places ``where`` gives for a case."""
    return Audience(name, lambda case, event: Reach(_covering(where(case), roles)))


def handlers_of(name: str, department_ids: Callable[..., list]) -> Audience:
    """The handlers of some departments of a case, and those departments' systems."""

    def find(case, event) -> Reach:
        ids = [d for d in department_ids(case, event) if d]
        if not ids:
            return Reach()
        return Reach(Q(grants__role=Role.HANDLER, grants__department_id__in=ids), ids)

    return Audience(name, find)


def _main_and_co(case, event) -> list:
    return [case.main_department_id, *case.co_departments.values_list("pk", flat=True)]


def _named(case, event) -> list:
    return [d for d in event.data.get("department_ids", []) if isinstance(d, int)]


MAIN_DEPARTMENT = handlers_of("main department", lambda case, event: [case.main_department_id])
ALL_DEPARTMENTS = handlers_of("main and co-handling departments", _main_and_co)
# Departments the event itself names in ``data["department_ids"]`` (a whistle's summons).
NAMED_DEPARTMENTS = handlers_of("departments the event names", _named)
# People the event itself names in ``data["user_ids"]`` (the inspectors a case is copied to).
NAMED_PEOPLE = Audience(
    "people the event names",
    lambda case, event: Reach(
        Q(pk__in=[u for u in event.data.get("user_ids", []) if isinstance(u, int)])
    ),
)
DISPATCHERS = staff("dispatchers covering the case", Role.DISPATCHER)
LEADERS = staff("leaders covering the case", Role.LEADER)
OPERATORS = staff("operators covering the case", Role.OPERATOR)
GRID_WORKERS = staff("grid workers of the case's grid", Role.GRID_WORKER, where=_grid)
# The centre that owns the case now (after an escalation: the higher one) and above.
CENTRE_DISPATCHERS = staff("dispatchers of the owning centre", Role.DISPATCHER, where=_centre)
CENTRE_LEADERS = staff("leaders of the owning centre", Role.LEADER, where=_centre)

# Who holds each step: whoever must move the case on from this status.
HOLDERS: dict[str, tuple[Audience, ...]] = {
    S.REGISTERED: (DISPATCHERS,),
    S.DISPATCHED: (MAIN_DEPARTMENT,),
    S.HANDLING: (MAIN_DEPARTMENT,),
    S.EXTENSION_REQUESTED: (DISPATCHERS, LEADERS),
    S.RETURN_REQUESTED: (CENTRE_DISPATCHERS,),
    S.REPLIED: (GRID_WORKERS, DISPATCHERS),
    S.VERIFIED: (OPERATORS,),
    S.RATED: (OPERATORS,),
}


def _all(audiences, case, event) -> Reach:
    return reduce(or_, (a.find(case, event) for a in audiences), Reach())


def _holders(case, event) -> Reach:
    return _all(HOLDERS.get(case.status, ()), case, event)


STEP_HOLDER = Audience("whoever holds the current step", _holders)
MERGE_TARGET_HOLDER = Audience(
    "whoever holds the case merged into",
    lambda case, event: _holders(case.merged_into, event) if case.merged_into_id else Reach(),
)


@dataclass(frozen=True)
class Rule:
    """The audiences of one event action; ``when`` (on the event) may narrow it."""

    audiences: tuple[Audience, ...]
    when: Callable[..., bool] | None = None


def notify(*audiences: Audience, when: Callable[..., bool] | None = None) -> Rule:
    return Rule(audiences, when)


def _urgent(event) -> bool:
    return event.case.urgency == Urgency.URGENT


def _red_or_orange(event) -> bool:
    return event.data.get("colour") in ("red", "orange")


def _unsatisfied(event) -> bool:
    return event.data.get("rating") == Rating.UNSATISFIED


# Who must act after each action. Actions not listed notify nobody (the people who
# took them are done, or the case waits in a queue that is its own notice).
RULES: dict[str, Rule] = {
    # A dispute graded red or orange reaches the centre's leaders at once (mediation).
    "dispute_graded": notify(LEADERS, when=_red_or_orange),
    # New cases wait in the triage queue; only an urgent one interrupts the dispatchers.
    A.REGISTER: notify(DISPATCHERS, when=_urgent),
    A.DISPATCH: notify(ALL_DEPARTMENTS),
    # A return waits for the owning centre's review; the department hears the outcome.
    A.RETURN: notify(CENTRE_DISPATCHERS),
    A.ACCEPT_RETURN: notify(NAMED_DEPARTMENTS),
    A.OVERRULE_RETURN: notify(MAIN_DEPARTMENT),
    # Withdrawn or reassigned: the department that had it hears, and the new one.
    A.WITHDRAW: notify(NAMED_DEPARTMENTS),
    A.REASSIGN: notify(ALL_DEPARTMENTS, NAMED_DEPARTMENTS),
    A.REQUEST_EXTENSION: notify(DISPATCHERS, LEADERS),
    A.APPROVE_EXTENSION: notify(MAIN_DEPARTMENT),
    A.REFUSE_EXTENSION: notify(MAIN_DEPARTMENT),
    A.REPLY: notify(GRID_WORKERS, DISPATCHERS),
    A.VERIFY_PASS: notify(OPERATORS),
    A.VERIFY_FAIL: notify(MAIN_DEPARTMENT),
    # An unsatisfied citizen: the centre decides whether to reopen.
    A.CALLBACK: notify(DISPATCHERS, when=_unsatisfied),
    A.REOPEN: notify(ALL_DEPARTMENTS),
    A.ESCALATE: notify(CENTRE_DISPATCHERS, CENTRE_LEADERS),
    A.SEND_BACK: notify(CENTRE_DISPATCHERS),
    # Passed down a level: the lower centre's dispatchers, or the grid's workers.
    A.PASS_DOWN: notify(CENTRE_DISPATCHERS, GRID_WORKERS),
    A.SOLVE_IN_GRID: notify(OPERATORS),
    A.RAISE_FROM_GRID: notify(CENTRE_DISPATCHERS),
    A.URGE: notify(STEP_HOLDER),
    A.MARK_OVERDUE: notify(STEP_HOLDER, DISPATCHERS),
    A.MERGE: notify(MERGE_TARGET_HOLDER),
    # A note from the citizen or another system (Open311 update) on an open case.
    Note.ADD_NOTE: notify(STEP_HOLDER),
    # Summoned departments must report in (报到); the grid's workers meet them there.
    "whistle": notify(NAMED_DEPARTMENTS),
    # The centre summons a stationed unit on duty; a co-handling unit's reply reaches
    # the main unit, which reads it before replying (centres).
    "stationed_summoned": notify(NAMED_DEPARTMENTS),
    "co_reply": notify(MAIN_DEPARTMENT),
    "report_in": notify(GRID_WORKERS),
    # Supervision: the unit must respond in writing; the centre reads the response; the
    # units of a joint review have their tasks; inspectors hear of a copied case.
    "supervision_order": notify(NAMED_DEPARTMENTS),
    "supervision_raised": notify(NAMED_DEPARTMENTS),
    "supervision_response": notify(DISPATCHERS),
    "joint_review": notify(NAMED_DEPARTMENTS),
    "inspection_copy": notify(NAMED_PEOPLE),
    # Emergency command: the units given (or relieved of) plan tasks must act at once.
    "emergency_plan_started": notify(NAMED_DEPARTMENTS),
    "emergency_level_changed": notify(NAMED_DEPARTMENTS),
    "emergency_response_ended": notify(NAMED_DEPARTMENTS),
    # A warning sent, updated or lifted: the units in its area and on the incident.
    "emergency_warning_sent": notify(NAMED_DEPARTMENTS),
}


def reach(event) -> Reach | None:
    """Who must act after ``event``; None (without a query) when nobody must."""
    rule = RULES.get(event.action)
    if rule is None or (rule.when is not None and not rule.when(event)):
        return None
    found = _all(rule.audiences, event.case, event)
    return Reach(found.users, sorted(set(found.departments)))
