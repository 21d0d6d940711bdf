"""Calling the citizen back (回访): what a call gives, the tries, and the rule at the end.

A call reaches the citizen, who rates the reply (the ``callback`` move: verified →
rated), or it does not:

- **no answer** (无人接听) or **unreachable** (空号、停机): a ``callback_missed`` note;
  the case stays verified, the next try is scheduled in working time
  (``CIVICGRID_CALLBACK_RETRY_AFTER``, default 4 working hours, then 1 working day:
  three tries over two working days) and its clock restarts then. The callback queue
  hides it until the try is due.
- **refused to rate** (拒绝评价), or the last try failed: the ``callback`` move without
  a rating, ``callback_result`` saying why; by default (``CIVICGRID_CALLBACK_CLOSE_UNRATED``)
  the case is closed at once. Neither counts as satisfied nor as unsatisfied.

The citizen may still rate on their tracking page while tries are pending.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.actor import Actor
from civicgrid.routing.models import LimitUnit, Step

from . import deadlines, events, lifecycle
from .lifecycle import Action, ConcurrentUpdate, InvalidAction
from .models import Case, CaseEvent, Rating


class Outcome(models.TextChoices):
    """What a call gave besides a rating."""

    NO_ANSWER = "no_answer", gettext_lazy("no answer")
    REFUSED = "refused", gettext_lazy("refused to rate")
    UNREACHABLE = "unreachable", gettext_lazy("unreachable (number not in service)")


# Calls worth trying again; a refusal is an answer.
RETRIED = frozenset({Outcome.NO_ANSWER, Outcome.UNREACHABLE})
# One choice per call on the form: the three ratings, then the calls that gave none.
CALL_RESULTS = [*Rating.choices, *Outcome.choices]


def retry_after() -> list[tuple[float, str]]:
    """The waits before the 2nd, 3rd … try, from ``CIVICGRID_CALLBACK_RETRY_AFTER``."""
    waits = []
    for item in settings.CIVICGRID_CALLBACK_RETRY_AFTER:
        amount, _space, unit = str(item).strip().partition(" ")
        try:
            value = float(amount)
        except ValueError:
            value = -1
        if value <= 0 or unit.strip() not in LimitUnit.values:
            raise ImproperlyConfigured(
                f"CIVICGRID_CALLBACK_RETRY_AFTER: {item!r} is not '<amount> <unit>' with a "
                f"positive amount and a unit among {', '.join(LimitUnit.values)}"
            )
        waits.append((value, unit.strip()))
    return waits


def max_tries() -> int:
    return len(retry_after()) + 1


def next_try_at(failed: int, after: datetime) -> datetime | None:
    """When the next try may be made after ``failed`` failed tries; None after the last."""
    waits = retry_after()
    if not 1 <= failed <= len(waits):
        return None
    amount, unit = waits[failed - 1]
    return deadlines.add_limit(after, amount, unit)


def is_last_try(case: Case) -> bool:
    return case.callback_tries + 1 >= max_tries()


def call_back(
    case: Case,
    *,
    actor: Actor,
    note: str = "",
    rating: str | None = None,
    outcome: str | None = None,
    attempt: int | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Record one call to the citizen of a verified case, as ``actor`` (an operator).

    ``attempt`` is the try the operator saw on their screen (1, 2 …): when someone else
    recorded it meanwhile, ``ConcurrentUpdate`` and nothing changes.
    """
    lifecycle.check(case, Action.CALLBACK, actor)
    if rating:
        return lifecycle.apply(case, Action.CALLBACK, actor=actor, note=note, rating=rating)
    if outcome not in Outcome.values:
        raise InvalidAction(
            _("Record what the call gave: a rating, no answer, refused or unreachable."),
            "rating",
        )
    if attempt is not None and attempt != case.callback_tries + 1:
        raise ConcurrentUpdate(
            _(
                "Try %(attempt)d of case %(number)s was already recorded by someone else; "
                "reload to see it."
            )
            % {"attempt": attempt, "number": case.number}
        )
    if outcome in RETRIED and not is_last_try(case):
        return _missed(case, actor=actor, note=note, outcome=outcome, now=now or timezone.now())
    with transaction.atomic():
        event = lifecycle.apply(case, Action.CALLBACK, actor=actor, note=note, outcome=outcome)
        if settings.CIVICGRID_CALLBACK_CLOSE_UNRATED:
            lifecycle.apply(case, Action.CLOSE, actor=actor)
    return event


def _missed(case: Case, *, actor: Actor, note: str, outcome: str, now: datetime) -> CaseEvent:
    """A failed try that is not the last: the next one scheduled, its clock from then."""
    from .services import change_clock

    tries = case.callback_tries + 1
    next_at = next_try_at(tries, now) or now
    warn, due = deadlines.step_window(case.category, case.urgency, Step.CALLBACK, next_at)
    fields = {
        "callback_tries": tries,
        "callback_next_at": next_at,
        "step_started_at": next_at,
        "warn_at": warn,
        "due_at": due,
        "updated_at": now,
    }
    data = {"outcome": outcome, "attempt": tries, "next_try_at": next_at.isoformat()}
    return change_clock(case, fields, events.Note.CALLBACK_MISSED, actor, data, note, at=now)
