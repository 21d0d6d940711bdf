"""The supervision panel on a case page and the orders awaiting a unit's response in its
inbox (panels of ``cases.extensions``, registered in ``civicgrid/wiring/extensions.py``)."""

from django.utils import timezone

from civicgrid.accounts.models import Role

from . import accountability, services
from .forms import IssueForm, MeasureForm, RespondForm, ReviewForm, SignOffForm, TaskForm, VisitForm
from .models import ACTIVE, Copy, Order, OrderStatus, Review, SiteVisit

TASK_ROWS = 3


def case_panel(request, case) -> dict | None:
    """Orders, visits, reviews and the inspection of ``case``; the forms for who may act.

    The unit sees its own orders (to respond); the centre and the inspectors see all."""
    user = request.user
    centre = services.may_supervise(user, case)
    copy = Copy.objects.filter(case=case).select_related("signed_off_by").first()
    inspector = copy is not None and accountability.may_inspect(user, copy)
    orders = list(
        Order.objects.filter(case=case).select_related("department").order_by("issued_at")
    )
    staff = centre or inspector or user.has_role(Role.LEADER)
    if not staff:
        mine = set(user.department_ids)
        orders = [o for o in orders if o.department_id in mine]
    if not orders and not staff:
        return None
    units = services.units_of(case) if centre else []
    now = timezone.now()
    context = {
        "case": case,
        "orders": orders,
        "now": now,
        "may_respond": {
            o.pk
            for o in orders
            if o.status in (OrderStatus.OPEN, OrderStatus.OVERDUE) and services.may_respond(user, o)
        },
        "may_close": {o.pk for o in orders if centre and o.status in ACTIVE},
        "respond_form": RespondForm(),
        "staff": staff,
    }
    if staff:
        context.update(
            visits=list(SiteVisit.objects.filter(case=case).select_related("recorded_by")),
            reviews=list(Review.objects.filter(case=case).prefetch_related("tasks__department")),
            copy=copy,
        )
    if centre and case.is_open and units:
        context.update(
            issue_form=IssueForm(units=units),
            visit_form=VisitForm(),
            review_form=ReviewForm(),
            task_forms=[TaskForm(units=units, prefix=f"task-{i}") for i in range(TASK_ROWS)],
        )
    if copy is not None and inspector and copy.signed_off_at is None:
        context.update(
            measure_form=MeasureForm(),
            sign_off_form=SignOffForm(),
            sign_off_refusal=accountability.sign_off_refusal(case),
            measures=list(copy.measures.select_related("by")),
        )
    elif copy is not None and inspector:
        context["measures"] = list(copy.measures.select_related("by"))
    return context


def inbox_panel(request, _subject=None) -> dict | None:
    """The orders the user's units have to respond to, the most pressing first."""
    departments = request.user.department_ids
    if not departments:
        return None
    waiting = list(
        services.open_orders().filter(
            department_id__in=departments, status__in=(OrderStatus.OPEN, OrderStatus.OVERDUE)
        )[:50]
    )
    if not waiting:
        return None
    return {"orders": waiting, "now": timezone.now(), "respond_form": RespondForm()}
