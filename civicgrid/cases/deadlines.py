"""Deadlines of each step, from the time-limit policies and the working calendar."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from civicgrid.core.calendar import get_calendar
from civicgrid.routing import catalogue
from civicgrid.routing.models import Category, LimitUnit, Step, Urgency

from .models import Rating, Status

# Used when an admin has configured nothing for a step: the limits seen in practice
# (DOMAIN.md, "Time limits and supervision").
DEFAULT_LIMITS: dict[tuple[str, str], tuple[int, str]] = {
    (Urgency.URGENT, Step.TRIAGE): (10, LimitUnit.MINUTES),
    (Urgency.URGENT, Step.ACKNOWLEDGE): (30, LimitUnit.MINUTES),
    (Urgency.URGENT, Step.HANDLE): (24, LimitUnit.HOURS),
    (Urgency.URGENT, Step.VERIFY): (4, LimitUnit.HOURS),
    (Urgency.URGENT, Step.CALLBACK): (1, LimitUnit.WORKING_DAYS),
    (Urgency.URGENT, Step.REVIEW): (24, LimitUnit.HOURS),
    (Urgency.URGENT, Step.RETURN_REVIEW): (30, LimitUnit.MINUTES),
    (Urgency.SAME_DAY, Step.TRIAGE): (30, LimitUnit.MINUTES),
    (Urgency.SAME_DAY, Step.ACKNOWLEDGE): (1, LimitUnit.HOURS),
    (Urgency.SAME_DAY, Step.HANDLE): (24, LimitUnit.HOURS),
    (Urgency.SAME_DAY, Step.VERIFY): (1, LimitUnit.WORKING_DAYS),
    (Urgency.SAME_DAY, Step.CALLBACK): (1, LimitUnit.WORKING_DAYS),
    (Urgency.SAME_DAY, Step.REVIEW): (1, LimitUnit.WORKING_DAYS),
    (Urgency.SAME_DAY, Step.RETURN_REVIEW): (1, LimitUnit.HOURS),
    (Urgency.NORMAL, Step.TRIAGE): (2, LimitUnit.WORKING_HOURS),
    (Urgency.NORMAL, Step.ACKNOWLEDGE): (4, LimitUnit.WORKING_HOURS),
    (Urgency.NORMAL, Step.HANDLE): (5, LimitUnit.WORKING_DAYS),
    (Urgency.NORMAL, Step.VERIFY): (2, LimitUnit.WORKING_DAYS),
    (Urgency.NORMAL, Step.CALLBACK): (1, LimitUnit.WORKING_DAYS),
    (Urgency.NORMAL, Step.REVIEW): (3, LimitUnit.WORKING_DAYS),
    (Urgency.NORMAL, Step.RETURN_REVIEW): (4, LimitUnit.WORKING_HOURS),
}
DEFAULT_YELLOW_AT = 0.8

# The step a case is in while it has a given status; statuses not listed have no clock.
STEP_OF_STATUS: dict[str, str] = {
    Status.REGISTERED: Step.TRIAGE,
    Status.DISPATCHED: Step.ACKNOWLEDGE,
    Status.HANDLING: Step.HANDLE,
    Status.EXTENSION_REQUESTED: Step.HANDLE,
    # The centre's review of a return; the department's handling deadline waits aside.
    Status.RETURN_REQUESTED: Step.RETURN_REVIEW,
    Status.REPLIED: Step.VERIFY,
    Status.VERIFIED: Step.CALLBACK,
}


def step_of(status: str, rating: str = "") -> str | None:
    """The step of a case in ``status``: a rated case has one only when the citizen is
    unsatisfied (the centre must have it redone or reviewed, see ``Step.REVIEW``)."""
    if status == Status.RATED:
        return Step.REVIEW if rating == Rating.UNSATISFIED else None
    return STEP_OF_STATUS.get(status)


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str
    yellow_at: float = DEFAULT_YELLOW_AT


def limit_for(category: Category | None, urgency: str, step: str) -> Limit:
    """The most specific policy: the category, then its ancestors, then the default."""
    chain = category.lineage() if category else []
    for key in [c.pk for c in chain] + [None]:
        found = catalogue.policy(key, urgency, step)
        if found is not None:
            return Limit(found.amount, found.unit, found.yellow_at)
    amount, unit = DEFAULT_LIMITS.get((urgency, step), (5, LimitUnit.WORKING_DAYS))
    return Limit(amount, unit)


def add_limit(start: datetime, amount: float, unit: str) -> datetime:
    """``start`` plus a time limit, counting only working time where the unit says so."""
    calendar = get_calendar()
    if unit == LimitUnit.MINUTES:
        return start + timedelta(minutes=amount)
    if unit == LimitUnit.HOURS:
        return start + timedelta(hours=amount)
    if unit == LimitUnit.DAYS:
        return start + timedelta(days=amount)
    if unit == LimitUnit.WORKING_HOURS:
        return calendar.add_working_minutes(start, amount * 60)
    return calendar.add_working_days(start, amount)


def window(start: datetime, limit: Limit) -> tuple[datetime, datetime]:
    """(warn_at, due_at) for a step starting at ``start``."""
    due = add_limit(start, limit.amount, limit.unit)
    warn = start + (due - start) * limit.yellow_at
    return warn, due


def step_window(category, urgency: str, step: str, start: datetime) -> tuple[datetime, datetime]:
    return window(start, limit_for(category, urgency, step))


# The time limit of each move between the levels of centres (docs/centres.md): how long
# the centre (or grid worker) a case is passed to, raised to or sent back to has to
# decide on it, by urgency. Passed down to a grid worker it is the time to solve it.
MOVE_LIMITS: dict[tuple[str, str], tuple[int, str]] = {
    (Urgency.URGENT, "pass_down"): (1, LimitUnit.HOURS),
    (Urgency.URGENT, "pass_to_grid"): (4, LimitUnit.HOURS),
    (Urgency.URGENT, "escalate"): (30, LimitUnit.MINUTES),
    (Urgency.URGENT, "send_back"): (1, LimitUnit.HOURS),
    (Urgency.SAME_DAY, "pass_down"): (2, LimitUnit.HOURS),
    (Urgency.SAME_DAY, "pass_to_grid"): (8, LimitUnit.HOURS),
    (Urgency.SAME_DAY, "escalate"): (1, LimitUnit.HOURS),
    (Urgency.SAME_DAY, "send_back"): (2, LimitUnit.HOURS),
    (Urgency.NORMAL, "pass_down"): (4, LimitUnit.WORKING_HOURS),
    (Urgency.NORMAL, "pass_to_grid"): (3, LimitUnit.WORKING_DAYS),
    (Urgency.NORMAL, "escalate"): (2, LimitUnit.WORKING_HOURS),
    (Urgency.NORMAL, "send_back"): (4, LimitUnit.WORKING_HOURS),
}


def move_limit(urgency: str, move: str) -> Limit:
    """The time limit of a move between levels (``MOVE_LIMITS``)."""
    amount, unit = MOVE_LIMITS.get((urgency, move)) or MOVE_LIMITS[(Urgency.NORMAL, move)]
    return Limit(amount, unit)
