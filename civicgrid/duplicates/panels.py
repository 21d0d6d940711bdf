"""Who joined a case (+1) on the case page, and the possible duplicates at intake
(panels of ``cases.extensions``, registered in ``civicgrid/wiring/extensions.py``)."""


def supporters_card(request, case) -> dict:
    supporters = list(case.supporters.all()) if case.pk else []
    return {"case": case, "supporters": supporters}


def intake_card(request, form) -> dict:
    return {}
