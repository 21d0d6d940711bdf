"""The case events petitions write; the project wiring declares them (``cases.events``).

Every move of the petition table (``petitions.lifecycle``) is one event of the case, so
the case's timeline is the petition's history. A petition is nobody's news: none is public.
"""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

from .models import ContactKind, Form, PetitionState

REGISTERED = "petition_registered"
MOVED = "petition_moved"
EXTENDED = "petition_extended"
LEADER_OWNS = "petition_leader_owns"
LEADER_CONTACT = "petition_leader_contact"
MEDIATION_CONSENT = "petition_mediation_consent"

_SHOWN: events.Shown = {
    "form": (_("form of petition"), events.choice(Form)),
    "state": (_("petition state"), events.choice(PetitionState)),
    "repeat_of": (_("repeat petition of"), str),
    "higher_level": (_("to a higher level (越级)"), events.flag),
    "decide_by": (_("decide on acceptance by"), str),
    "due": (_("handle by"), str),
    "review_due": (_("review by"), str),
    "days": (_("extended by (days)"), str),
    "leader": (_("owning leader (包案)"), str),
    "contact": (_("kind"), events.choice(ContactKind)),
    "held_on": (_("held on"), str),
}
_details = events.details_of(_SHOWN)

KINDS = (
    events.Kind(REGISTERED, _("petition registered"), public=False, details=_details),
    events.Kind(MOVED, _("petition moved on"), public=False, details=_details),
    events.Kind(EXTENDED, _("petition time limit extended"), public=False, details=_details),
    events.Kind(LEADER_OWNS, _("a leader owns the petition"), public=False, details=_details),
    events.Kind(
        LEADER_CONTACT, _("leader reception or visit logged"), public=False, details=_details
    ),
    events.Kind(MEDIATION_CONSENT, _("the petitioner consented to mediation"), public=False),
)
