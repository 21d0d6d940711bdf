"""What the public reads of a case's events: which happened and when, and the replies.

Only events marked public, of published cases. Each shows its action (``public_label``:
plain words, else the lifecycle's label) and safe detail: the department a case went
to, the rating, the days of an extension. Text only for the replies meant for the
public — the reply, the direct answer, the referral — masked. Every other note (a
dispatcher's "请联系报告人王建国 139…", a client system's update, the reason of a
whistle) never leaves.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import events as kinds
from ..events import Note
from ..lifecycle import Action, action_label
from ..models import CallbackResult, Case, CaseEvent, Rating, Status
from .rule import published
from .text import names_of, public_text

REPLY_ACTIONS = frozenset({Action.REPLY, Action.ANSWER_DIRECTLY, Action.REFER})
# A reply is the public's to read once given and not found wanting on site.
REPLIED_STATUSES = frozenset(
    {Status.REPLIED, Status.VERIFIED, Status.RATED, Status.CLOSED, Status.MERGED}
)
EVENT_FIELDS = ("id", "case_id", "at", "action", "to_status", "note", "data")

# What the public reads for each public event of ``cases``, in plain words; an upper
# app's kind brings its own (``events.Kind.public_label``); any other shows its label.
PLAIN_EVENTS: dict[str, Promise] = {
    Action.REGISTER: gettext_lazy("Report received"),
    Action.DISPATCH: gettext_lazy("Sent to the department responsible"),
    Action.ACKNOWLEDGE: gettext_lazy("The department took the case on"),
    Action.RETURN: gettext_lazy("The department asked the centre to find the right one"),
    Action.ACCEPT_RETURN: gettext_lazy("Sent back to the centre to find the right department"),
    Action.OVERRULE_RETURN: gettext_lazy("The department responsible keeps the case"),
    Action.WITHDRAW: gettext_lazy("Taken back by the centre to find the right department"),
    Action.REASSIGN: gettext_lazy("Sent to another department"),
    Action.REQUEST_EXTENSION: gettext_lazy("The department asked for more time"),
    Action.APPROVE_EXTENSION: gettext_lazy("More time was granted"),
    Action.REFUSE_EXTENSION: gettext_lazy("More time was refused"),
    Action.REPLY: gettext_lazy("The department replied"),
    Action.ANSWER_DIRECTLY: gettext_lazy("Answered"),
    Action.REFER: gettext_lazy("Referred elsewhere"),
    Action.VERIFY_PASS: gettext_lazy("Checked on site: done"),
    Action.VERIFY_FAIL: gettext_lazy("Checked on site: not done yet, back to the department"),
    Action.CALLBACK: gettext_lazy("Rated"),
    Action.CLOSE: gettext_lazy("Closed"),
    Action.REOPEN: gettext_lazy("Reopened, to be handled again"),
    Action.ESCALATE: gettext_lazy("Passed to a higher centre"),
    Action.SEND_BACK: gettext_lazy("Passed back to the local centre"),
    Action.PASS_DOWN: gettext_lazy("Passed to the local centre nearest to you"),
    Action.SOLVE_IN_GRID: gettext_lazy("Solved on site by the grid worker"),
    Action.RAISE_FROM_GRID: gettext_lazy("Passed to a higher centre"),
    Action.URGE: gettext_lazy("The centre urged the department on"),
    Action.MERGE: gettext_lazy("Handled together with an earlier report"),
    Note.MERGED_FROM: gettext_lazy("Another report of the same problem was added"),
    Note.CLOSED_WITH: gettext_lazy("Closed together with the earlier report"),
    Action.PLACE: gettext_lazy("Placed on the map"),
    Note.ADD_FILE: gettext_lazy("Material added"),
}


def public_label(action: str) -> str:
    """An event as the public reads it: its plain words, else ``lifecycle.action_label``."""
    plain = PLAIN_EVENTS.get(action)
    if plain is None and action in kinds.KINDS:
        plain = kinds.KINDS[action].public_label
    return str(plain) if plain is not None else action_label(action)


@dataclass
class PublicEvent:
    """One event as the public may read it."""

    id: int
    case_id: int
    at: datetime
    action: str
    to_status: str
    text: str = ""
    detail: str = ""


def detail(action: str, data: dict) -> str:
    """What may be said of an event besides its label: never a person."""
    if action == Action.DISPATCH and data.get("main_department"):
        return str(data["main_department"])
    if action == Action.CALLBACK and data.get("rating") in Rating.values:
        return str(Rating(data["rating"]).label)
    if action == Action.CALLBACK and data.get("result") in CallbackResult.values:
        return str(CallbackResult(data["result"]).label)
    if action == Action.APPROVE_EXTENSION and data.get("days"):
        return _("%(days)s working days") % {"days": data["days"]}
    return ""


def reply(case: Case, names=()) -> str:
    """The reply to the citizen, masked, once the case has one that stands."""
    if case.status not in REPLIED_STATUSES or not case.reply:
        return ""
    return public_text(case.reply, [*names_of(case), *names])


def _reply_text(row: dict, case: Case, last_reply: bool) -> str:
    data = row["data"] or {}
    if "reply" in data:
        return str(data["reply"] or "")  # the reply itself; a note beside it is the staff's
    # Recorded before replies were kept with their events: the note was the reply, or
    # the reply was given in its own field and only the case has it (the latest).
    return row["note"] or (case.reply if last_reply else "")


def _shown(row: dict, case: Case, last_reply: bool, names=()) -> PublicEvent:
    text = ""
    if row["action"] in REPLY_ACTIONS:
        text = public_text(_reply_text(row, case, last_reply), [*names_of(case), *names])
    return PublicEvent(
        id=row["id"],
        case_id=row["case_id"],
        at=row["at"],
        action=row["action"],
        to_status=row["to_status"],
        text=text,
        detail=detail(row["action"], row["data"] or {}),
    )


def timelines(cases: list[Case], names=()) -> dict[int, list[PublicEvent]]:
    """Each case's public events, oldest first, by case id; one query for all.

    The cases must be published (or be the reader's own): this does not check.
    """
    by_case: dict[int, list[dict]] = {case.pk: [] for case in cases}
    rows = (
        CaseEvent.objects.filter(case_id__in=list(by_case), public=True)
        .order_by("at", "id")
        .values(*EVENT_FIELDS)
    )
    for row in rows:
        by_case[row["case_id"]].append(row)
    shown = {}
    for case in cases:
        events = by_case[case.pk]
        replies = [row["id"] for row in events if row["action"] in REPLY_ACTIONS]
        last = replies[-1] if replies else None
        shown[case.pk] = [_shown(row, case, row["id"] == last, names) for row in events]
    return shown


def published_events(events: QuerySet) -> QuerySet:
    """The public events among ``events`` whose cases are published."""
    return published(events.filter(public=True), prefix="case__")


def _last_replies(events: list[CaseEvent]) -> set[int]:
    """Of the reply events given, those that are their case's latest reply (one query)."""
    cases = {
        e.case_id
        for e in events
        if e.action in REPLY_ACTIONS and not e.note and "reply" not in (e.data or {})
    }
    if not cases:
        return set()
    latest = (
        CaseEvent.objects.filter(case_id__in=cases, action__in=REPLY_ACTIONS)
        .values("case_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    return set(latest)


def updates(events: list[CaseEvent]) -> list[PublicEvent]:
    """Events of ``published_events`` (with ``case`` loaded: its reply and reporter's
    name) as the public may read them."""
    last_replies = _last_replies(events)
    return [
        _shown(
            {name: getattr(event, name) for name in EVENT_FIELDS},
            event.case,
            event.id in last_replies,
        )
        for event in events
    ]
