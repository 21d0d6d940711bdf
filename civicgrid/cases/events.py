"""The one way a case event is written: ``record``, for the kinds declared here.

A kind is either a *move* (an ``Action`` of the lifecycle table, recorded by
``lifecycle.apply``) or a *note*: something that happened to the case without moving
it (a file added, a caller joining, a department summoned). ``cases`` declares its own
moves and notes; upper apps declare theirs with ``declare``, called only from the
project wiring (``civicgrid/wiring/extensions.py``). ``record`` refuses a kind nobody
declared.

Every recorded event is handed to the consumers (``add_consumer``, again from the
wiring) once its transaction has committed; ``notifications`` is one, and its
``RULES`` alone decide who hears. A kind may also say how the case timeline shows it:
a label, and a function from the event to (label, value) pairs of safe text.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.actor import Actor

from .models import Case, CaseEvent

Details = Callable[[CaseEvent], list[tuple[str, str]]]
Consumer = Callable[[CaseEvent], Any]


class Note(models.TextChoices):
    """The notes ``cases`` itself writes."""

    MERGED_FROM = "merged_from", gettext_lazy("another case merged in")
    CLOSED_WITH = "closed_with", gettext_lazy("closed together with the case it was merged into")
    RECOMPUTE_DEADLINE = "recompute_deadline", gettext_lazy("deadline recomputed")
    ADD_FILE = "add_file", gettext_lazy("file added")
    ADD_NOTE = "add_note", gettext_lazy("note added")
    CHANGE_URGENCY = "change_urgency", gettext_lazy("urgency changed")
    CALLBACK_MISSED = "callback_missed", gettext_lazy("callback: citizen not reached")


@dataclass(frozen=True)
class Kind:
    """One kind of event: its stored ``code``, label, and whether the citizen sees it."""

    code: str
    label: Any
    public: bool = True
    move: bool = False
    # The event's data as (label, value) pairs for the timeline; None: the shared keys.
    details: Details | None = None
    # What the public reads for it, in plain words (``publication.public_label``);
    # None: the label.
    public_label: Any = None


class UnknownKind(ValueError):
    """An event of a kind nobody declared: a programming error, never the user's."""


KINDS: dict[str, Kind] = {}
CONSUMERS: list[Consumer] = []
# Keys an upper app writes into the data of ``cases``' own kinds (triage's model on a
# dispatch, a client system's fields on a note), and how the timeline shows them.
DATA_KEYS: dict[str, tuple[Any, Callable[[Any], str]]] = {}

# A call that reached nobody is the centre's business, not news for the public.
_NOT_PUBLIC = {Note.RECOMPUTE_DEADLINE, Note.CHANGE_URGENCY, Note.CALLBACK_MISSED}


def _add(kind: Kind) -> Kind:
    if kind.code in KINDS:
        raise ValueError(f"event kind {kind.code!r} is declared twice")
    KINDS[kind.code] = kind
    return kind


def declare_moves(actions: type[models.TextChoices]) -> None:
    """The lifecycle's moves; called once, by ``lifecycle``."""
    for action in actions:
        _add(Kind(action.value, action.label, move=True))


def declare(*kinds: Kind) -> None:
    """An upper app's note kinds. Called only from the project wiring."""
    for declared in kinds:
        if declared.move:
            raise ValueError(f"{declared.code!r}: only the lifecycle table declares moves")
        _add(declared)


def declare_data(shown: "Shown") -> None:
    """Keys an upper app adds to the data of ``cases``' kinds. Called only from the wiring."""
    for key in shown:
        if key in DATA_KEYS:
            raise ValueError(f"event data key {key!r} is declared twice")
    DATA_KEYS.update(shown)


def add_consumer(consumer: Consumer) -> None:
    """Hand every event to ``consumer`` after commit. Called only from the project wiring."""
    if consumer not in CONSUMERS:
        CONSUMERS.append(consumer)


for _note in Note:
    _add(Kind(_note.value, _note.label, public=_note not in _NOT_PUBLIC))


def kind(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise UnknownKind(f"no event kind {code!r} is declared") from None


def label(code: str) -> str:
    """The translated name of an event kind; the code itself when nobody declared it."""
    known = KINDS.get(code)
    return str(known.label) if known else code


def record(case: Case, kind_code: str, *, actor: Actor, **fields) -> CaseEvent:
    """Append one event to ``case`` and hand it to the consumers after commit.

    ``fields`` are ``build``'s: the statuses default to the case's (a note moves
    nothing), ``public`` to the kind's.
    """
    event = build(case, kind_code, actor=actor, **fields)
    event.save(force_insert=True)
    hand_over(event)
    return event


def build(
    case: Case,
    kind_code: str,
    *,
    actor: Actor,
    note: str = "",
    data: dict | None = None,
    public: bool | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """The event ``record`` would write, not saved: for a writer that inserts it together
    with other rows (intake's one statement), and then calls ``hand_over``."""
    declared = kind(kind_code)
    return CaseEvent(
        case=case,
        at=at or timezone.now(),
        actor=actor,
        action=declared.code,
        from_status=case.status if from_status is None else from_status,
        to_status=case.status if to_status is None else to_status,
        note=note,
        data=data or {},
        public=declared.public if public is None else public,
    )


def record_each(
    cases: Iterable[Case], kind_code: str, *, actor: Actor, data: dict | None = None, at=None
) -> list[CaseEvent]:
    """One note of the same kind and data on each of ``cases``, in one insert."""
    declared = kind(kind_code)
    at = at or timezone.now()
    events = CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            at=at,
            actor=actor,
            action=declared.code,
            from_status=case.status,
            to_status=case.status,
            data=dict(data or {}),
            public=declared.public,
        )
        for case in cases
    )
    for event in events:
        hand_over(event)
    return events


def write_history(rows: Iterable[dict], *, batch_size: int = 5000) -> int:
    """Write past events of seeded cases in bulk (``civicgrid seed-figures``), nobody told.

    Only for generating a history that happened elsewhere (reported figures reproduced
    from seeded data): every kind must be declared; no consumer hears of them, as the
    moves are long past. Each row holds the event's fields (case, at, action, data…).
    Returns how many were written.
    """
    written = 0
    batch: list[CaseEvent] = []
    for row in rows:
        kind(row["action"])
        batch.append(CaseEvent(**row))
        if len(batch) >= batch_size:
            written += len(CaseEvent.objects.bulk_create(batch))
            batch = []
    if batch:
        written += len(CaseEvent.objects.bulk_create(batch))
    return written


def hand_over(event: CaseEvent) -> None:
    """Hand a written event to the consumers once its transaction commits (at once when
    it was written outside one: it has committed already)."""
    # Robust: the event has committed; a failing consumer is logged, never shown to the
    # person as if their action had failed, and does not stop the other consumers.
    for consumer in CONSUMERS:
        transaction.on_commit(partial(consumer, event), robust=True)


# --- showing an event's data on the timeline ---------------------------------------

Shown = dict[str, tuple[Any, Callable[[Any], str]]]


def details_of(shown: Shown) -> Details:
    """A ``details`` function showing the keys of ``shown`` (key → (label, show)).

    Keys not listed (internal bookkeeping) are not shown, nor empty values.
    """

    def details(event: CaseEvent) -> list[tuple[str, str]]:
        pairs = []
        for key, value in (event.data or {}).items():
            if key not in shown or value in (None, "", [], False):
                continue
            name, show = shown[key]
            pairs.append((str(name), show(value)))
        return pairs

    return details


def choice(choices: type[models.TextChoices]) -> Callable[[Any], str]:
    def show(value):
        try:
            return str(choices(value).label)
        except ValueError:
            return value

    return show


def names(value) -> str:
    return "、".join(value) if isinstance(value, list) else value


def flag(value) -> str:
    return str(_("yes")) if value else str(_("no"))


def link(url) -> str:
    """An evidence address as a link that opens apart from the case page (http(s) only)."""
    if not str(url).lower().startswith(("http://", "https://")):
        return url
    return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, url)
