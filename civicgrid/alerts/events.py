"""The case events alerts writes; the project wiring declares them (``cases.events``)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events
from civicgrid.routing.models import Urgency

ALERT_RECEIVED = "alert_received"
ALERT_REPEATED = "alert_repeated"

_details = events.details_of(
    {
        "alert_source": (_("alert source"), str),
        "alert": (_("alert"), str),
        "evidence": (_("evidence"), events.link),
        "plate": (_("plate number (masked)"), str),
        "repeats": (_("repeats so far"), str),
        "urgency_raised": (_("urgency raised to"), events.choice(Urgency)),
    }
)

KINDS = (
    events.Kind(ALERT_RECEIVED, _("platform alert received"), public=False, details=_details),
    events.Kind(ALERT_REPEATED, _("alert repeated"), public=False, details=_details),
)
