"""What a client system's update (an ``add_note``) carries in its data, as the case
timeline shows it (declared in the project wiring through ``cases.events.declare_data``)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

DATA: events.Shown = {
    "source": (_("sent by"), str),
    "reported_status": (_("status according to the sender"), str),
    "media_url": (_("photo or video"), events.link),
}
