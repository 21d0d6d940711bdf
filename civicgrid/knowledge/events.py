"""What the knowledge base adds to a direct answer's data: the entry it cites (declared in
the project wiring through ``cases.events.declare_data``)."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

DATA: events.Shown = {
    "knowledge_entry": (_("knowledge-base entry"), lambda v: f"#{v}"),
}


def count_use(event) -> None:
    """A direct answer citing an entry adds one to its uses (an event consumer, wired in
    the project; the answer has committed)."""
    from .models import Entry

    if event.action != "answer_directly":
        return
    entry_id = (event.data or {}).get("knowledge_entry")
    if entry_id:
        Entry.objects.filter(pk=entry_id).update(
            use_count=F("use_count") + 1, last_used_at=event.at
        )
