"""The assessment pages: the month's ranking, the indicators of any period, the red/black
list (compiled and published here), reverse ratings by staff, and the public list."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import LifecycleError
from civicgrid.routing.models import Department, DepartmentKind

from . import services
from .forms import MonthForm, PeriodForm, RatingForm, parse_month
from .indicators import RATES, STAGES, indicators, percent
from .models import ListKind, MonthList, Rater, ReverseEvaluation

SHOWN_RATES = ("response", "resolution", "satisfaction", "reply_on_time", "return", "closing")


def _month(request) -> tuple[MonthForm, date]:
    form = MonthForm(request.GET or None)
    month = form.cleaned_data["month"] if form.is_valid() else timezone.localdate().replace(day=1)
    if request.GET and not form.is_valid():
        messages.error(request, str(form.errors["month"][0]))
    return form, month


@page("assessment")
def ranking(request):
    """The month's score of every unit by the scheme in force then, best first."""
    form, month = _month(request)
    found = services.scores(month)
    rows = [
        {
            "rank": i,
            "row": row,
            "rates": [(p.label, percent(p.rate), p.weight) for p in row.parts],
        }
        for i, row in enumerate(found.rows, 1)
    ]
    return render(
        request,
        "assessment/ranking.html",
        {
            "form": form,
            "month": month,
            "scheme": found.scheme,
            "rows": rows,
            "has_data": found.has_data,
            "may_manage": services.may_manage(request.user),
        },
    )


@page("assessment")
def figures(request):
    """The indicators of any period at any level, with the 数字城管 stage counts."""
    today = timezone.localdate()
    initial = {"start": today.replace(day=1), "end": today, "level": "unit"}
    form = PeriodForm(request.GET or None, initial=initial)
    rows, chosen = [], None
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data
    elif not form.is_bound:
        chosen = initial
    if chosen:
        found = indicators(chosen["start"], chosen["end"], chosen["level"])
        rows = [
            {
                "row": row,
                "rates": [percent(row.rates[r.code]) for r in RATES],
                "stages": [row.stages[s.code] for s in STAGES],
            }
            for row in found
        ]
    return render(
        request,
        "assessment/figures.html",
        {
            "form": form,
            "rows": rows,
            "rates": RATES,
            "stages": STAGES,
            "has_data": any(r["row"].has_data for r in rows),
            "asked": chosen is not None,
        },
    )


@page("assessment")
@require_http_methods(["GET", "POST"])
def lists(request):
    """The month's red and black lists; compile them, publish them (the centre's switch)."""
    if request.method == "POST":
        month = parse_month(request.POST.get("month", ""))
        if month is None:
            messages.error(request, _("Give the month as YYYY-MM."))
            return redirect("assessment:lists")
        try:
            if "public" in request.POST:
                listed = MonthList.objects.filter(month=month).first()
                if listed is None:
                    raise LifecycleError(_("Compile the month's lists first."))
                services.set_public(listed, request.POST["public"] == "1", actor=request.user)
                messages.success(
                    request,
                    _("The lists are now shown to the public.")
                    if listed.public
                    else _("The lists are now internal only."),
                )
            else:
                services.compile_list(month, actor=request.user)
                messages.success(request, _("The red and black lists are compiled."))
        except (LifecycleError, PermissionDenied) as error:
            messages.error(request, getattr(error, "message", None) or str(error))
        return redirect(reverse("assessment:lists") + f"?month={month:%Y-%m}")
    form, month = _month(request)
    listed = MonthList.objects.filter(month=month).select_related("scheme").first()
    entries = list(listed.entries.select_related("department")) if listed else []
    return render(
        request,
        "assessment/lists.html",
        {
            "form": form,
            "month": month,
            "listed": listed,
            "red": [e for e in entries if e.kind == ListKind.RED],
            "black": [e for e in entries if e.kind == ListKind.BLACK],
        },
    )


@page("reverse_evaluation")
@require_http_methods(["GET", "POST"])
def reverse_evaluation(request):
    """Staff's short forms: a grid worker rates their community, a community the
    departments; and this month's averages."""
    user = request.user
    communities = services.communities_of_grid_worker(user)
    speaks_for = services.communities_of(user)
    departments = Department.objects.filter(active=True).exclude(kind=DepartmentKind.CENTRE)
    community_form = RatingForm(
        request.POST if request.POST.get("kind") == Rater.GRID_WORKER else None,
        targets=[(c.pk, c.name) for c in communities],
        prefix="community",
    )
    department_form = RatingForm(
        request.POST if request.POST.get("kind") == Rater.COMMUNITY else None,
        targets=[(d.pk, d.name) for d in departments.order_by("name")],
        prefix="department",
    )
    if request.method == "POST":
        form = community_form if request.POST.get("kind") == Rater.GRID_WORKER else department_form
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                if form is community_form:
                    target = next(c for c in communities if c.pk == data["target"])
                    services.rate_community(
                        target, actor=user, stars=data["stars"], comment=data["comment"]
                    )
                else:
                    if not speaks_for:
                        raise PermissionDenied(
                            _("Only someone who speaks for a community rates departments.")
                        )
                    services.rate_department(
                        departments.get(pk=data["target"]),
                        actor=user,
                        community=speaks_for[0],
                        stars=data["stars"],
                        comment=data["comment"],
                    )
            except (LifecycleError, PermissionDenied, ValidationError) as error:
                messages.error(request, getattr(error, "message", None) or str(error))
            else:
                messages.success(request, _("Thank you: your rating is recorded for this month."))
                return redirect("assessment:reverse")
        else:
            messages.error(request, _("Choose whom you rate and a rating from 1 to 5."))
    month = timezone.localdate().replace(day=1)
    mine = ReverseEvaluation.objects.filter(month=month, rater=user).select_related(
        "region", "department"
    )
    return render(
        request,
        "assessment/reverse.html",
        {
            "community_form": community_form if communities else None,
            "department_form": department_form if speaks_for else None,
            "mine": mine,
            "month": month,
            "averages": _averages(month) if services.may_read(user) else None,
        },
    )


def _averages(month: date) -> list[tuple[str, list]]:
    from civicgrid.regions.models import Region

    out = []
    for level, label in (
        ("grid", _("Grids, rated by residents")),
        ("community", _("Communities, rated by grid workers")),
        ("unit", _("Departments, rated by communities")),
    ):
        found = services.reverse_averages(month, level)
        model = Department if level == "unit" else Region
        names = dict(model.objects.filter(pk__in=found).values_list("pk", "name"))
        rows = sorted(
            ((names.get(pk, "?"), f"{avg:.2f}", n) for pk, (avg, n) in found.items()),
            key=lambda r: r[1],
        )
        out.append((label, rows))
    return out
