"""The work queues: inbox (department), tasks (grid worker), callbacks (the triage queue
is ``triage.views``).

A queue's rows are light: the case and one button named after the usual next step. The
forms of a row come on demand from ``row_forms`` — into the row with htmx, or as a page
of their own without script — so 50 rows are not 50 sets of forms (#10).
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from civicgrid.accounts.pages import page

from .. import lifecycle, queries
from ..callbacks import max_tries
from ..forms import InboxFilterForm, Options
from ..lifecycle import Action
from ..models import Light
from ..queries import action_label
from .common import (
    Row,
    action_slots,
    is_htmx,
    map_data,
    paginate,
    paginate_rows,
    safe_next,
    usual_next,
    visible_case_or_404,
)

# Rows per page of a work queue: what a person works through before the next page. Fifty
# rows were two thirds of a queue page's time, spent rendering rows nobody reached.
QUEUE_SIZE = 25
EXTENSION_ACTIONS = (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION)
INBOX_ACTIONS = (Action.ACKNOWLEDGE, Action.REPLY, Action.REQUEST_EXTENSION, Action.RETURN)
TASK_ACTIONS = (
    Action.VERIFY_PASS,
    Action.VERIFY_FAIL,
    Action.SOLVE_IN_GRID,
    Action.RAISE_FROM_GRID,
)
CALLBACK_ACTIONS = (Action.CALLBACK, Action.CLOSE, Action.REOPEN)


# Which actions each queue's rows offer, and the page whose roles may ask for them.
ROW_FORMS = {
    "inbox": ("inbox", INBOX_ACTIONS),
    "tasks": ("tasks", TASK_ACTIONS),
    "callbacks": ("callbacks", CALLBACK_ACTIONS),
    "extensions": ("triage", EXTENSION_ACTIONS),
    "placement": ("triage", (Action.PLACE,)),
}


def rows_with_opener(cases, user, queue: str) -> list[Row]:
    """Rows without forms: each names the step its button opens (the usual next step,
    else the first the user may take), or none when the user may take none."""
    only = ROW_FORMS[queue][1]
    rows = []
    for case in cases:
        allowed = [a for a in lifecycle.allowed_actions(case.status) if a in only]
        allowed = [a for a in allowed if lifecycle.can(case, a, user)]
        first = usual_next(case) if usual_next(case) in allowed else next(iter(allowed), None)
        rows.append(Row(case, opener=action_label(first) if first else "", queue=queue))
    return rows


def row_forms(request, number: str, queue: str):
    """The forms of one queue row, asked for by its button: the fragment for htmx, a
    page of its own without script."""
    if queue not in ROW_FORMS:
        raise Http404
    key, only = ROW_FORMS[queue]

    @page(key)
    def forms(request):
        case = visible_case_or_404(request.user, number)
        context = {
            "case": case,
            "actions": action_slots(case, request.user, Options(), only=only),
            "next": safe_next(request),
        }
        partial = "cases/partials/_row_forms.html"
        return render(request, partial if is_htmx(request) else "cases/row_forms.html", context)

    return require_GET(forms)(request)


@page("inbox")
@require_GET
def inbox(request):
    """The department's cases, filtered by light and status."""
    user = request.user
    form = InboxFilterForm(request.GET)
    light = status = ""
    if form.is_valid():
        light, status = form.cleaned_data["light"], form.cleaned_data["status"]
    everything = queries.inbox(user, status=status)
    listing = paginate_rows(request, queries.inbox(user, light=light, status=status), QUEUE_SIZE)
    context = {
        "form": form,
        "page": listing,
        "rows": rows_with_opener(listing, user, "inbox"),
        "light": light,
        "status": status,
        "counts": queries.light_counts(everything),
        "lights": [(v, lbl) for v, lbl in Light.choices if v != Light.NONE],
    }
    if is_htmx(request):
        return render(request, "cases/partials/_inbox_queue.html", context)
    context["returns"] = queries.own_returns(user)
    context["returns_days"] = queries.RETURNS_SHOWN_DAYS
    return render(request, "cases/inbox.html", context)


@page("tasks")
@require_GET
def tasks(request):
    """Replied cases to verify on site, and cases passed down to a grid to solve there;
    laid out for a phone."""
    user = request.user
    listing = paginate(request, queries.verification_tasks(user), QUEUE_SIZE)
    rows = rows_with_opener(listing, user, "tasks")
    for row in rows:
        row.map = map_data(row.case)
    context = {"page": listing, "rows": rows}
    return render(request, "cases/tasks.html", context)


@page("callbacks")
@require_GET
def callbacks(request):
    """Cases to call back, then close, or reopen when the citizen is unsatisfied.

    A case whose next try is later is hidden unless ``?later=1``.
    """
    user = request.user
    later = request.GET.get("later") == "1"
    listing = paginate_rows(request, queries.callbacks(user, later=later), QUEUE_SIZE)
    context = {
        "page": listing,
        "rows": rows_with_opener(listing, user, "callbacks"),
        "later": later,
        "later_count": queries.callbacks_later(user),
        "max_tries": max_tries(),
        "now": timezone.now(),
    }
    return render(request, "cases/callbacks.html", context)
