"""The incident on its case page (a panel of ``cases.extensions``, registered in the
project wiring): the incident the case is, or is grouped under; for the command room a
case that is neither can be opened as an incident."""

from . import services, taxonomy
from .models import Incident, Severity


def case_panel(request, case) -> dict | None:
    user = request.user
    own = Incident.objects.filter(case=case).first()
    grouped = list(Incident.objects.filter(links__case=case))
    incidents = [i for i in ([own] if own else []) + grouped if services.may_view(user, i)]
    if incidents:
        return {"incidents": incidents}
    if own is None and services.command_refusal(user, case=case) is None:
        return {
            "case": case,
            "may_open": True,
            "types": taxonomy.choices(),
            "severities": Severity.choices,
        }
    return None
