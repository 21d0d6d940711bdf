"""What triage writes into a dispatch's data, as the case timeline shows it (declared in
the project wiring through ``cases.events.declare_data``)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases import events

DATA: events.Shown = {
    "auto": (_("dispatched by"), lambda _v: str(_("the triage model, without waiting"))),
    "model": (_("model version"), lambda v: f"v{v}" if v else str(_("shipped model"))),
    "confidence": (_("model confidence"), lambda v: f"{float(v):.0%}"),
    "threshold": (_("threshold"), lambda v: f"{float(v):.0%}"),
}
