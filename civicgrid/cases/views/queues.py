"""The work queues: inbox (department), tasks (grid worker), callbacks (the triage queue
is ``triage.views``)."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from civicgrid.accounts.pages import page

from .. import queries
from ..callbacks import max_tries
from ..forms import InboxFilterForm, Options
from ..lifecycle import Action
from ..models import Light
from .common import Row, action_slots, is_htmx, map_data, paginate

QUEUE_SIZE = 50
EXTENSION_ACTIONS = (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION)
INBOX_ACTIONS = (Action.ACKNOWLEDGE, Action.REPLY, Action.REQUEST_EXTENSION, Action.RETURN)
TASK_ACTIONS = (Action.VERIFY_PASS, Action.VERIFY_FAIL)
CALLBACK_ACTIONS = (Action.CALLBACK, Action.CLOSE, Action.REOPEN)


def rows_with_actions(cases, user, options, only) -> list[Row]:
    # The dispatch form preselects its own department (cases.forms.dispatch).
    return [Row(case, action_slots(case, user, options, only=only)) for case in cases]


@page("inbox")
@require_GET
def inbox(request):
    """The department's cases, filtered by light and status."""
    user, options = request.user, Options()
    form = InboxFilterForm(request.GET)
    light = status = ""
    if form.is_valid():
        light, status = form.cleaned_data["light"], form.cleaned_data["status"]
    everything = queries.inbox(user, status=status)
    listing = paginate(request, queries.inbox(user, light=light, status=status), QUEUE_SIZE)
    context = {
        "form": form,
        "page": listing,
        "rows": rows_with_actions(listing, user, options, INBOX_ACTIONS),
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
    """Replied cases to verify on site; laid out for a phone."""
    user, options = request.user, Options()
    listing = paginate(request, queries.verification_tasks(user), QUEUE_SIZE)
    rows = rows_with_actions(listing, user, options, TASK_ACTIONS)
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
    user, options = request.user, Options()
    later = request.GET.get("later") == "1"
    listing = paginate(request, queries.callbacks(user, later=later), QUEUE_SIZE)
    context = {
        "page": listing,
        "rows": rows_with_actions(listing, user, options, CALLBACK_ACTIONS),
        "later": later,
        "later_count": queries.callbacks_later(user),
        "max_tries": max_tries(),
        "now": timezone.now(),
    }
    return render(request, "cases/callbacks.html", context)
