"""The case events supervision writes; the project wiring declares them (``cases.events``).

Orders, reviews and the inspectors' work are the centre's business: not public, except
a listed supervision the centre chose to publish (``Order.public``), which the results
page shows through the public-output rule as "listed for supervision".
"""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

from .models import CopyReason, Level, Measure, ReviewKind

ORDER = "supervision_order"
RAISED = "supervision_raised"
RESPONSE = "supervision_response"
ORDER_CLOSED = "supervision_closed"
SITE_VISIT = "site_visit"
REVIEW = "joint_review"
COPIED = "inspection_copy"
MEASURE = "inspection_measure"
SIGNED_OFF = "inspection_signed_off"

_SHOWN: events.Shown = {
    "level": (_("level"), events.choice(Level)),
    "unit": (_("unit"), str),
    "respond_by": (_("respond by"), str),
    "done_by": (_("done by"), str),
    "late": (_("after the time limit"), events.flag),
    "visitors": (_("who went"), str),
    "kind": (_("kind"), events.choice(ReviewKind)),
    "leaders": (_("leaders present"), str),
    "decision": (_("decision"), str),
    "tasks": (_("tasks"), events.names),
    "reason": (_("why"), events.choice(CopyReason)),
    "measure": (_("measure"), events.choice(Measure)),
    "rectify_by": (_("rectify by"), str),
}
_details = events.details_of(_SHOWN)

KINDS = (
    events.Kind(
        ORDER,
        _("supervision order issued"),
        public=False,
        details=_details,
        public_label=_("Listed for supervision by the centre"),
    ),
    events.Kind(
        RAISED,
        _("supervision order raised"),
        public=False,
        details=_details,
        public_label=_("Listed for supervision by the centre"),
    ),
    events.Kind(RESPONSE, _("unit responded to supervision"), public=False, details=_details),
    events.Kind(ORDER_CLOSED, _("supervision order closed"), public=False, details=_details),
    events.Kind(SITE_VISIT, _("on-site supervision"), public=False, details=_details),
    events.Kind(REVIEW, _("joint review"), public=False, details=_details),
    events.Kind(COPIED, _("copied to discipline inspection"), public=False, details=_details),
    events.Kind(MEASURE, _("discipline inspection measure"), public=False, details=_details),
    events.Kind(SIGNED_OFF, _("signed off by discipline inspection"), public=False),
)
