"""The case events field work writes; the project wiring declares them."""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

ARRIVED = "must_attend_arrived"

_SHOWN: events.Shown = {
    "arrived_late": (_("after the arrival deadline"), events.flag),
}

KINDS = (
    events.Kind(
        ARRIVED,
        _("grid worker on site (must-attend)"),
        public=False,
        details=events.details_of(_SHOWN),
    ),
)
