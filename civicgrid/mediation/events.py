"""The case events mediation writes; the project wiring declares them (``cases.events``).

Every move of the dispute table (``mediation.lifecycle``) is one note kind of the case,
so the case timeline tells the dispute's whole history.
"""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

from .models import Colour, DisputeState, Level, Refusal, Scale, Side
from .records import ConfirmationKind, FollowUpResult, Ruling, Satisfaction

HANDED_OVER = "dispute_handed_over"
GRADED = "dispute_graded"
ASSIGNED = "dispute_assigned"
RECUSED = "dispute_recused"
SESSION = "dispute_session"
EXTENDED = "dispute_extended"
MOVED = "dispute_moved"
CONSENTED = "dispute_consented"
CONFIRMATION = "dispute_confirmation"
FOLLOWED_UP = "dispute_followed_up"
CALLED_BACK = "dispute_called_back"
PUBLICATION_CONSENT = "dispute_publication_consent"
PUBLISHED = "dispute_published"
PRINTED = "dispute_document_printed"

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
    "kind": (_("kind"), events.choice(ConfirmationKind)),
    "body": (_("court or notary office"), str),
    "ruling": (_("ruling"), events.choice(Ruling)),
    "reference": (_("ruling or certificate number"), str),
    "obligation": (_("obligation"), str),
    "result": (_("result"), events.choice(FollowUpResult)),
    "on": (_("date"), str),
    "satisfaction": (_("satisfaction"), events.choice(Satisfaction)),
    "document": (_("document"), str),
    "remediation": (_("re-mediation"), str),
    "side": (_("side"), events.choice(Side)),
    "consent": (_("consents to publication"), events.flag),
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
    events.Kind(CONFIRMATION, _("agreement confirmation recorded"), public=False, details=_details),
    events.Kind(FOLLOWED_UP, _("performance followed up"), public=False, details=_details),
    events.Kind(CALLED_BACK, _("parties called back"), public=False, details=_details),
    events.Kind(
        PUBLICATION_CONSENT, _("consent to publication recorded"), public=False, details=_details
    ),
    events.Kind(PUBLISHED, _("dispute published anonymised"), public=False, details=_details),
    events.Kind(PRINTED, _("dispute document printed"), public=False, details=_details),
)
