"""The case events of the centres app; the project wiring declares them (``cases.events``)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

from .models import DutyMode

SUMMONED = "stationed_summoned"
CO_REPLY = "co_reply"

_SHOWN: events.Shown = {
    "unit": (_("unit"), str),
    "mode": (_("mode"), events.choice(DutyMode)),
    "due_at": (_("reply due"), str),
    "late": (_("after the time limit"), events.flag),
}
_details = events.details_of(_SHOWN)

KINDS = (
    events.Kind(SUMMONED, _("stationed unit summoned"), public=False, details=_details),
    events.Kind(CO_REPLY, _("co-handling unit replied"), public=False, details=_details),
)
