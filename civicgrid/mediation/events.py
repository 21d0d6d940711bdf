"""The case events mediation writes; the project wiring declares them (``cases.events``).

Every move of the dispute table (``mediation.lifecycle``) is one note kind of the case,
so the case timeline tells the dispute's whole history.
"""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

from .models import Colour, DisputeState, Level, Refusal, Scale

HANDED_OVER = "dispute_handed_over"
GRADED = "dispute_graded"
ASSIGNED = "dispute_assigned"
RECUSED = "dispute_recused"
SESSION = "dispute_session"
EXTENDED = "dispute_extended"
MOVED = "dispute_moved"
CONSENTED = "dispute_consented"

_SHOWN: events.Shown = {
    "dispute_type": (_("dispute type"), str),
    "state": (_("dispute state"), events.choice(DisputeState)),
    "refusal": (_("refused because"), events.choice(Refusal)),
    "routes": (_("lawful routes told"), events.names),
    "scale": (_("scale"), events.choice(Scale)),
    "level": (_("risk level"), events.choice(Level)),
    "colour": (_("warning colour"), events.choice(Colour)),
    "organisation": (_("organisation"), str),
    "mediators": (_("mediators"), events.names),
    "replaced": (_("mediator replaced"), str),
    "held_at": (_("held on"), str),
    "due": (_("mediate by"), str),
    "confirm_by": (_("apply for judicial confirmation by"), str),
}
_details = events.details_of(_SHOWN)

# The parties' disputes are not news for the public: none of these is public.
KINDS = (
    events.Kind(HANDED_OVER, _("handed over to mediation"), public=False, details=_details),
    events.Kind(GRADED, _("dispute risk graded"), public=False, details=_details),
    events.Kind(ASSIGNED, _("dispute assigned to mediators"), public=False, details=_details),
    events.Kind(RECUSED, _("mediator recused"), public=False, details=_details),
    events.Kind(SESSION, _("mediation session held"), public=False, details=_details),
    events.Kind(EXTENDED, _("mediation time limit extended"), public=False, details=_details),
    events.Kind(MOVED, _("dispute moved on"), public=False, details=_details),
    events.Kind(CONSENTED, _("the other side consented to mediation"), public=False),
)
