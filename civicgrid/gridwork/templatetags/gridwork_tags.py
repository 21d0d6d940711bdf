"""The whistle panel on a case page, and the summonses waiting in a department's inbox."""

from django import template

from ..forms import ReportInForm, WhistleForm
from ..models import Summons
from ..services import may_report_in, may_whistle, pending_for

register = template.Library()


@register.inclusion_tag("gridwork/_summons_panel.html", takes_context=True)
def summons_panel(context, case):
    """Who was summoned to ``case`` and whether they reported in; the whistle form for
    those who may blow it; the report-in button for a summoned department."""
    from ..views import department_choices

    user = context["request"].user
    summonses = list(
        Summons.objects.filter(case=case).select_related("department").order_by("summoned_at")
    )
    for s in summonses:
        s.can_report_in = s.reported_at is None and may_report_in(user, s)
    can_whistle = may_whistle(user, case)
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "summonses": summonses,
        "whistle_form": WhistleForm(departments=department_choices()) if can_whistle else None,
        "report_in_form": ReportInForm(),
    }


@register.inclusion_tag("gridwork/_summoned_here.html", takes_context=True)
def summoned_here(context):
    """The summonses the user's department has not answered, for its inbox."""
    user = context["request"].user
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "summonses": list(pending_for(user.department_ids)[:50]),
        "report_in_form": ReportInForm(),
    }
