"""What the knowledge base adds to a direct answer's data: the entry it cites (declared in
the project wiring through ``cases.events.declare_data``)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

DATA: events.Shown = {
    "knowledge_entry": (_("knowledge-base entry"), lambda v: f"#{v}"),
}
