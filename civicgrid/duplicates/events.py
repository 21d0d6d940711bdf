"""The case events duplicates writes; the project wiring declares them (``cases.events``)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events
from civicgrid.cases.models import Channel

JOIN = "join"

KINDS = (
    events.Kind(
        JOIN,
        _("joined as supporter"),
        details=events.details_of({"channel": (_("channel"), events.choice(Channel))}),
    ),
)
