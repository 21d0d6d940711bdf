"""The case page's panel of the centres app: the co-handling units' parts (the main unit
reads them before it replies; each unit replies to its own) and the summons of a
stationed unit on duty (a panel of ``cases.extensions``, wired in
``civicgrid/wiring/extensions.py``)."""

from civicgrid.accounts.models import Role

from . import services
from .models import DutySummons


def case_panel(request, case) -> dict | None:
    user = request.user
    parts = services.parts_of(case)
    centre = services.may_summon(user, case)
    main_unit = case.main_department_id is not None and any(
        g.department_id == case.main_department_id for g in user.grants_for(Role.HANDLER)
    )
    mine = {p.pk for p in parts if p.replied_at is None and services.may_reply(user, p)}
    units = {p.department_id for p in parts}
    co_unit = any(g.department_id in units for g in user.role_grants())
    if not (centre or main_unit or mine or co_unit):
        return None
    duty = services.on_duty(services.district_of(case)) if centre and case.is_open else []
    summonses = list(
        DutySummons.objects.filter(case=case).select_related("stationing__department", "by")
    )
    if not parts and not duty and not summonses:
        return None
    return {
        "case": case,
        "parts": parts,
        "may_reply": mine,
        "waiting": [p for p in parts if p.replied_at is None],
        "main_unit": main_unit,
        "duty": duty,
        "summonses": summonses,
    }
