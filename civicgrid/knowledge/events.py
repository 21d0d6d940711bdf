"""What the knowledge base adds to a direct answer's data: the entry it cites (declared in
the project wiring through ``cases.events.declare_data``)."""

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

DATA: events.Shown = {
    "knowledge_entry": (_("knowledge-base entry"), lambda v: f"#{v}"),
}


def count_use(event) -> None:
    """A direct answer adds one to its day's answers (``DailyUse``) and, citing an entry,
    one to the entry's uses (an event consumer, wired in the project; the answer has
    committed)."""
    from .models import Entry

    if event.action != "answer_directly":
        return
    entry_id = (event.data or {}).get("knowledge_entry") or None
    if entry_id is not None:
        counted = Entry.objects.filter(pk=entry_id).update(
            use_count=F("use_count") + 1, last_used_at=event.at
        )
        entry_id = entry_id if counted else None
    add_answer(timezone.localdate(event.at), entry_id)


def add_answer(day, entry_id: int | None) -> None:
    """One more direct answer on ``day`` citing ``entry_id`` (or none): the day's row is
    made by the first answer; two first answers at once both count (the loser adds)."""
    from .models import DailyUse

    row = DailyUse.objects.filter(
        Q(entry_id=entry_id) if entry_id is not None else Q(entry__isnull=True), day=day
    )
    if row.update(answers=F("answers") + 1):
        return
    try:
        with transaction.atomic():
            DailyUse.objects.create(day=day, entry_id=entry_id, answers=1)
    except IntegrityError:
        row.update(answers=F("answers") + 1)
