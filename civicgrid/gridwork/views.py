"""网格通: the grid worker's phone pages, and the whistle and report-in endpoints."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.models import Role
from civicgrid.accounts.pages import page
from civicgrid.cases import queries
from civicgrid.cases.forms import Options
from civicgrid.cases.lifecycle import LifecycleError
from civicgrid.cases.maps import LOAD_CLASSES, map_strings
from civicgrid.cases.models import Case, Status
from civicgrid.cases.refusals import status_for
from civicgrid.cases.services import Registered, SubmissionKey, register_case_once
from civicgrid.cases.views.common import safe_next, visible_case_or_404
from civicgrid.regions.models import Region
from civicgrid.routing.models import Department

from . import services
from .forms import FieldReportForm, PatrolNotesForm, ReportInForm, WhistleForm
from .models import Patrol, Summons

RECENT = 10
PASSED_DOWN_SHOWN = 20


@page("grid")
def home(request):
    """My grids on a map, my patrol, my recent reports and the departments I summoned."""
    user = request.user
    my_grids = (
        Region.objects.filter(grants__user=user, grants__role=Role.GRID_WORKER)
        .defer("boundary")
        .order_by("code")
        .distinct()
    )
    context = {
        "passed_down": _passed_down(user, my_grids),
        "patrol": services.open_patrol(user),
        "patrols": Patrol.objects.filter(worker=user, ended_at__isnull=False)[:RECENT],
        "notes_form": PatrolNotesForm(),
        "reports": _my_reports(user),
        "summonses": Summons.objects.filter(summoned_by=user)
        .select_related("case", "department")
        .order_by("-summoned_at")[:RECENT],
        "task_count": queries.verification_tasks(user).count(),
        "my_grids": my_grids,
        "load_classes": LOAD_CLASSES,
        "map_strings": map_strings(),
    }
    return render(request, "gridwork/home.html", context)


def _passed_down(user, my_grids) -> list[Case]:
    """The cases a community passed down to one of my grids (docs/centres.md), waiting
    for me to solve them on site or raise them, the most pressing first."""
    held = Case.objects.filter(status=Status.REGISTERED, owner_region__in=my_grids)
    return list(queries.pressing_first(queries.rows(held))[:PASSED_DOWN_SHOWN])


def _my_reports(user) -> list[Case]:
    mine = Case.objects.filter(created_by=user).order_by("-created_at", "-id")
    return list(queries.rows(mine)[:RECENT])


@page("grid")
def report(request):
    """Report what I found: photo, position, category. Resending is harmless."""
    options = Options()
    status = 200
    if request.method == "POST":
        form = FieldReportForm(request.POST, request.FILES, options=options)
        status = 400
        if form.is_valid():
            key = SubmissionKey.for_user(request.user, form.cleaned_data.get("client_key", ""))
            try:
                registered = register_case_once(
                    form.intake(),
                    actor=request.user,
                    files=form.cleaned_data.get("attachments") or [],
                    key=key,
                )
            except LifecycleError as error:
                for name, message in (error.errors or {None: error.message}).items():
                    form.add_error(name if name in form.fields else None, message)
                status = status_for(error)
            else:
                return _reported(request, registered)
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=status)
    else:
        form = FieldReportForm(options=options)
    return render(request, "gridwork/report.html", {"form": form}, status=status)


def _reported(request, registered: Registered):
    case = registered.case
    url = reverse("cases:detail", args=[case.number])
    if registered.replayed:
        text = _("Case %(number)s had already arrived; it was not filed twice.")
    else:
        text = _("Case %(number)s reported. Thank you.")
    messages.success(request, text % {"number": case.number})
    if _wants_json(request):
        return JsonResponse(
            {"number": case.number, "url": url, "replayed": registered.replayed},
            status=200 if registered.replayed else 201,
        )
    return redirect(url)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@page("grid")
@require_POST
def patrol_start(request):
    try:
        services.start_patrol(request.user)
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Patrol started. Take care out there."))
    return redirect("gridwork:home")


@page("grid")
@require_POST
def patrol_stop(request):
    form = PatrolNotesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Notes are at most 4000 characters."))
        return redirect("gridwork:home")
    try:
        services.stop_patrol(request.user, form.cleaned_data["notes"])
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Patrol ended and logged."))
    return redirect("gridwork:home")


def department_choices() -> list[tuple[int, str]]:
    return list(Department.objects.filter(active=True).order_by("code").values_list("pk", "name"))


@login_required
@require_POST
def whistle(request, number: str):
    """Summon departments to a case (吹哨)."""
    case = visible_case_or_404(request.user, number)
    form = WhistleForm(request.POST, departments=department_choices())
    back = safe_next(request) or reverse("cases:detail", args=[case.number])
    if not form.is_valid():
        messages.error(request, _("Choose the departments and say what they are needed for."))
        return redirect(back)
    departments = Department.objects.filter(pk__in=form.cleaned_data["departments"])
    try:
        summoned = services.whistle(
            case, list(departments), actor=request.user, reason=form.cleaned_data["reason"]
        )
    except LifecycleError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("Summoned: %(names)s. Each must report in by %(due)s.")
        % {
            "names": "、".join(s.department.name for s in summoned),
            "due": summoned[0].due_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        },
    )
    return redirect(back)


@login_required
@require_POST
def report_in(request, pk: int):
    """The summoned department reports in (报到)."""
    summons = get_object_or_404(Summons.objects.select_related("case", "department"), pk=pk)
    case = visible_case_or_404(request.user, summons.case.number)
    form = ReportInForm(request.POST)
    response = form.cleaned_data["response"] if form.is_valid() else ""
    try:
        services.report_in(summons, actor=request.user, response=response)
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Reported in on case %(number)s.") % {"number": case.number})
    return redirect(safe_next(request) or reverse("cases:detail", args=[case.number]))
