"""The rota page of the stationed units, and the case panel's actions (summon the unit
on duty, a co-handling unit's reply)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import LifecycleError
from civicgrid.cases.models import Case
from civicgrid.cases.scope import region_paths, visible_cases
from civicgrid.cases.views.common import visible_case_or_404
from civicgrid.regions.models import Level, Region

from . import services
from .models import CoPart, Stationing


def _back(case: Case):
    return redirect(reverse("cases:detail", args=[case.number]) + "#centres-panel")


@page("rota")
def rota(request):
    """Who is stationed in the user's district centres, and who is on duty today."""
    user = request.user
    districts = Region.objects.filter(level=Level.DISTRICT).defer("boundary")
    if not (user.is_superuser or user.has_role("admin")):
        paths = region_paths(user)
        districts = [
            d for d in districts if any(d.path.startswith(p) or p.startswith(d.path) for p in paths)
        ]
    today = timezone.localdate()
    centres = []
    for district in districts:
        lines = list(
            Stationing.objects.filter(centre=district)
            .select_related("department")
            .order_by("mode", "starts_on")
        )
        if lines:
            duty = {s.pk for s in services.on_duty(district, today)}
            centres.append({"centre": district, "lines": lines, "duty": duty})
    context = {"centres": centres, "today": today, "intake": services.intake_defaults(user)}
    return render(request, "centres/rota.html", context)


@login_required
@require_POST
def summon(request, number: str):
    case = visible_case_or_404(request.user, number)
    stationing = (
        Stationing.objects.select_related("department")
        .filter(pk=request.POST.get("stationing") or 0)
        .first()
    )
    if stationing is None:
        messages.error(request, _("Choose a unit on duty."))
        return _back(case)
    try:
        services.summon(case, stationing, actor=request.user, note=request.POST.get("note", ""))
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(unit)s was summoned.") % {"unit": stationing.department})
    return _back(case)


@login_required
@require_POST
def reply(request, pk: int):
    parts = CoPart.objects.filter(case__in=visible_cases(request.user, Case.objects.all()))
    part = get_object_or_404(parts.select_related("case"), pk=pk)
    try:
        services.reply_part(part, actor=request.user, reply=request.POST.get("reply", ""))
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your part's reply was sent."))
    return _back(part.case)
