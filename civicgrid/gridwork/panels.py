"""The whistle panel on a case page, and the summonses waiting in a department's inbox
(panels of ``cases.extensions``, registered in ``civicgrid/wiring/extensions.py``)."""

from .forms import ReportInForm, WhistleForm
from .models import Summons
from .services import may_report_in, may_whistle, pending_for


def summons_panel(request, case) -> dict:
    """Who was summoned to ``case`` and whether they reported in; the whistle form for
    those who may blow it; the report-in button for a summoned department."""
    from .views import department_choices

    user = request.user
    summonses = list(
        Summons.objects.filter(case=case).select_related("department").order_by("summoned_at")
    )
    can_whistle = may_whistle(user, case)
    return {
        "case": case,
        "summonses": summonses,
        # The summonses this user may answer (report in) now.
        "may_report_in": {
            s.pk for s in summonses if s.reported_at is None and may_report_in(user, s)
        },
        "whistle_form": WhistleForm(departments=department_choices()) if can_whistle else None,
        "report_in_form": ReportInForm(),
    }


def summoned_here(request, _subject=None) -> dict:
    """The summonses the user's department has not answered, for its inbox."""
    return {
        "summonses": list(pending_for(request.user.department_ids)[:50]),
        "report_in_form": ReportInForm(),
    }
