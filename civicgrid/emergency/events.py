"""The case events emergency command writes on an incident's case; the project wiring
declares them (``cases.events``) and ``notifications.RULES`` says who hears of them.

A drill has no case, so it writes none of these: nobody outside the drill is told.
"""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

INCIDENT_OPENED = "incident_opened"
INCIDENT_CASE = "incident_case_grouped"
PLAN_STARTED = "emergency_plan_started"
LEVEL_CHANGED = "emergency_level_changed"
RESPONSE_ENDED = "emergency_response_ended"
WARNING_SENT = "emergency_warning_sent"

_details = events.details_of(
    {
        "incident": (_("incident"), str),
        "plan": (_("plan"), str),
        "level": (_("response level"), str),
        "tasks": (_("tasks given"), str),
        "cancelled": (_("tasks cancelled"), str),
        "closed": (_("tasks closed"), str),
        "warning": (_("warning"), str),
        "warning_level": (_("warning level"), str),
    }
)

# Emergency command is staff business: none of these is on the public timeline.
KINDS = (
    events.Kind(INCIDENT_OPENED, _("incident opened"), public=False, details=_details),
    events.Kind(INCIDENT_CASE, _("grouped under an incident"), public=False, details=_details),
    events.Kind(PLAN_STARTED, _("emergency plan started"), public=False, details=_details),
    events.Kind(LEVEL_CHANGED, _("response level changed"), public=False, details=_details),
    events.Kind(RESPONSE_ENDED, _("emergency response ended"), public=False, details=_details),
    events.Kind(WARNING_SENT, _("warning sent"), public=False, details=_details),
)
