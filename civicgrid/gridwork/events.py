"""The case events gridwork writes; the project wiring declares them (``cases.events``)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

WHISTLE = "whistle"
REPORT_IN = "report_in"

_SHOWN: events.Shown = {
    "summoned": (_("summoned"), events.names),
    "report_in_by": (_("report in by"), str),
    "present": (_("department present"), str),
    "late": (_("after the time limit"), events.flag),
}

KINDS = (
    events.Kind(WHISTLE, _("departments summoned (whistle)"), details=events.details_of(_SHOWN)),
    events.Kind(REPORT_IN, _("department reported in"), details=events.details_of(_SHOWN)),
)
