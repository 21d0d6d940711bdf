"""The leaders' supervision list, the inspectors' page, and the actions of the case
panel (issue, respond, close, visit, review, measure, sign off)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import LifecycleError
from civicgrid.cases.models import Case
from civicgrid.cases.queries import below_district_own_level
from civicgrid.cases.scope import visible_cases
from civicgrid.cases.views.common import safe_next, visible_case_or_404
from civicgrid.core.paging import BoundedPaginator
from civicgrid.routing.models import Department

from . import accountability, services
from .forms import (
    IssueForm,
    MeasureForm,
    OrderFilter,
    RespondForm,
    ReviewForm,
    SignOffForm,
    TaskForm,
    VisitForm,
)
from .models import LEVELS, Copy, Level, Order, OrderStatus
from .panels import TASK_ROWS

PAGE_SIZE = 50


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Check the form.")


def _back(request, case: Case):
    return redirect(safe_next(request) or reverse("cases:detail", args=[case.number]))


@page("supervision")
def orders(request):
    """Open orders by level, unit and lateness, the most pressing first, 50 a page."""
    units = list(
        Department.objects.filter(supervision_orders__status__in=services.ACTIVE)
        .distinct()
        .order_by("code")
        .values_list("pk", "name")
    )
    form = OrderFilter(request.GET or None, units=units)
    cases = below_district_own_level(request.user, visible_cases(request.user, Case.objects.all()))
    rows = services.open_orders().filter(case__in=cases)
    now = timezone.now()
    if form.is_valid():
        data = form.cleaned_data
        if data["level"]:
            rows = rows.filter(level=data["level"])
        if data["department"]:
            rows = rows.filter(department_id=data["department"])
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["late"]:
            rows = rows.filter(
                Q(status=OrderStatus.OVERDUE) | Q(status=OrderStatus.OPEN, due_at__lt=now)
            )
    listing = BoundedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # How many of the listed orders are at each level, and how many are late: one query.
    tally = rows.order_by().aggregate(
        **{level.value: Count("pk", filter=Q(level=level)) for level in Level},
        late=Count(
            "pk",
            filter=Q(status=OrderStatus.OVERDUE) | Q(status=OrderStatus.OPEN, due_at__lt=now),
        ),
    )
    levels = [(level.label, tally[level.value]) for level in reversed(LEVELS)]
    return render(
        request,
        "supervision/orders.html",
        {"form": form, "page": listing, "now": now, "levels": levels, "late": tally["late"]},
    )


@login_required
@require_POST
def issue(request, number: str):
    case = visible_case_or_404(request.user, number)
    form = IssueForm(request.POST, units=services.units_of(case))
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(request, case)
    data = form.cleaned_data
    try:
        order = services.issue(
            case,
            Department.objects.get(pk=data["department"]),
            data["level"],
            actor=request.user,
            reason=data["reason"],
            public=data["public"],
        )
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(level)s sent to %(unit)s; response due %(due)s.")
            % {
                "level": order.get_level_display(),
                "unit": order.department.name,
                "due": timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return _back(request, case)


def _order(request, pk: int) -> Order:
    order = get_object_or_404(Order.objects.select_related("case", "department"), pk=pk)
    visible_case_or_404(request.user, order.case.number)
    return order


@login_required
@require_POST
def respond(request, pk: int):
    order = _order(request, pk)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(request, order.case)
    try:
        services.respond(
            order,
            actor=request.user,
            response=form.cleaned_data["response"],
            done_by=form.cleaned_data["done_by"],
        )
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Response sent."))
    return _back(request, order.case)


@login_required
@require_POST
def close(request, pk: int):
    order = _order(request, pk)
    try:
        closed = services.close(order, actor=request.user, note=request.POST.get("note", ""))
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        if closed:
            messages.success(request, _("Order closed."))
        else:
            messages.error(request, _("This order is already closed."))
    return _back(request, order.case)


@login_required
@require_POST
def visit(request, number: str):
    case = visible_case_or_404(request.user, number)
    form = VisitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(request, case)
    data = form.cleaned_data
    try:
        services.record_visit(
            case,
            actor=request.user,
            visitors=data["visitors"],
            visited_at=data["visited_at"],
            findings=data["findings"],
            photos=request.FILES.getlist("photos"),
        )
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("On-site supervision recorded."))
    return _back(request, case)


@login_required
@require_POST
def review(request, number: str):
    case = visible_case_or_404(request.user, number)
    units = services.units_of(case)
    form = ReviewForm(request.POST)
    rows = [TaskForm(request.POST, units=units, prefix=f"task-{i}") for i in range(TASK_ROWS)]
    if not form.is_valid() or not all(row.is_valid() for row in rows):
        bad = form if not form.is_valid() else next(row for row in rows if not row.is_valid())
        messages.error(request, _first_error(bad))
        return _back(request, case)
    by_pk = {u.pk: u for u in units}
    tasks = [
        (
            by_pk[row.cleaned_data["department"]],
            row.cleaned_data["task"],
            row.cleaned_data["due_at"],
        )
        for row in rows
        if row.cleaned_data.get("department")
    ]
    data = form.cleaned_data
    try:
        services.record_review(
            case,
            actor=request.user,
            kind=data["kind"],
            held_at=data["held_at"],
            minutes=data["minutes"],
            decision=data["decision"],
            leaders=data["leaders"],
            tasks=tasks,
        )
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Review recorded; the units have their tasks."))
    return _back(request, case)


@page("inspection")
def inspection(request):
    """The cases copied to me, unsigned first; 50 a page."""
    rows = accountability.copies_for(request.user)
    state = request.GET.get("state", "open")
    if state == "open":
        rows = rows.filter(signed_off_at__isnull=True)
    elif state == "signed":
        rows = rows.filter(signed_off_at__isnull=False)
    listing = BoundedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/inspection.html",
        {"page": listing, "state": state},
    )


def _copy(request, pk: int) -> Copy:
    copy = get_object_or_404(Copy.objects.select_related("case"), pk=pk)
    visible_case_or_404(request.user, copy.case.number)
    return copy


@login_required
@require_POST
def measure(request, pk: int):
    copy = _copy(request, pk)
    form = MeasureForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(request, copy.case)
    data = form.cleaned_data
    try:
        accountability.record_measure(
            copy,
            actor=request.user,
            measure=data["measure"],
            text=data["text"],
            due_at=data["due_at"],
        )
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Measure recorded."))
    return _back(request, copy.case)


@login_required
@require_POST
def sign_off(request, pk: int):
    copy = _copy(request, pk)
    form = SignOffForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        accountability.sign_off(copy, actor=request.user, note=note)
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Case %(number)s signed off.") % {"number": copy.case.number})
    return _back(request, copy.case)
