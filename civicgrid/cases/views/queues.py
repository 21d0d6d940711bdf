"""The work queues: triage (dispatcher), inbox (department), tasks (grid worker), callbacks."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.accounts.pages import page
from civicgrid.routing.services import suggest_for_cases
from civicgrid.triage import auto
from civicgrid.triage.models import CaseTriage

from .. import queries
from ..forms import InboxFilterForm, Options
from ..lifecycle import Action
from ..models import Light
from .common import Row, action_slots, dispatch_initial, is_htmx, map_data, paginate

QUEUE_SIZE = 50
TRIAGE_ACTIONS = (Action.DISPATCH, Action.ANSWER_DIRECTLY)
EXTENSION_ACTIONS = (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION)
INBOX_ACTIONS = (Action.ACKNOWLEDGE, Action.REPLY, Action.REQUEST_EXTENSION, Action.RETURN)
TASK_ACTIONS = (Action.VERIFY_PASS, Action.VERIFY_FAIL)
CALLBACK_ACTIONS = (Action.CALLBACK, Action.CLOSE, Action.REOPEN)


def _rows(cases, user, options, only, suggestions=None) -> list[Row]:
    result = []
    for case in cases:
        suggestion = (suggestions or {}).get(case.pk)
        slots = action_slots(case, user, options, only=only, initial=dispatch_initial(suggestion))
        result.append(Row(case, slots, suggestion))
    return result


def _routes_with_model(cases) -> dict:
    """Routing suggestions, by the model's best category where a case has none; each
    case also gets ``model_suggestions`` (top 3) and ``triage_row`` for the queue."""
    stored = {row.case_id: row for row in CaseTriage.objects.filter(case__in=cases)}
    fresh = auto.fresh_suggestions([c for c in cases if c.pk not in stored])
    for case in cases:
        case.triage_row = stored.get(case.pk)
        case.model_suggestions = (
            case.triage_row.suggestions if case.triage_row else fresh.get(case.pk, [])
        )
    fallback = {c.pk: c.model_suggestions[0]["category"] for c in cases if c.model_suggestions}
    return suggest_for_cases(cases, fallback)


@page("triage")
@require_GET
def triage(request):
    """Registered cases, most pressing first, each with the department the rules suggest."""
    user, options = request.user, Options()
    light = request.GET.get("light", "")
    queue = queries.triage_queue(user)
    if light in Light.values:
        queue = queue.with_light(light)
    listing = paginate(request, queue, QUEUE_SIZE)
    cases = list(listing)
    context = {
        "page": listing,
        "rows": _rows(cases, user, options, TRIAGE_ACTIONS, _routes_with_model(cases)),
        "light": light,
        "lights": Light.choices,
    }
    if is_htmx(request):
        return render(request, "cases/partials/_triage_queue.html", context)
    placement = list(queries.triage_queue(user).filter(needs_placement=True)[:QUEUE_SIZE])
    extensions = list(queries.extension_requests(user)[:QUEUE_SIZE])
    context.update(
        placement=_rows(placement, user, options, (Action.PLACE,)),
        extensions=_rows(extensions, user, options, EXTENSION_ACTIONS),
    )
    return render(request, "cases/triage.html", context)


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
        "rows": _rows(listing, user, options, INBOX_ACTIONS),
        "light": light,
        "status": status,
        "counts": queries.light_counts(everything),
        "lights": [(v, lbl) for v, lbl in Light.choices if v != Light.NONE],
    }
    template = "cases/partials/_inbox_queue.html" if is_htmx(request) else "cases/inbox.html"
    return render(request, template, context)


@page("tasks")
@require_GET
def tasks(request):
    """Replied cases to verify on site; laid out for a phone."""
    user, options = request.user, Options()
    listing = paginate(request, queries.verification_tasks(user), QUEUE_SIZE)
    rows = _rows(listing, user, options, TASK_ACTIONS)
    for row in rows:
        row.map = map_data(row.case)
    context = {"page": listing, "rows": rows}
    return render(request, "cases/tasks.html", context)


@page("callbacks")
@require_GET
def callbacks(request):
    """Verified cases to call back, then close, or reopen when the citizen is unsatisfied."""
    user, options = request.user, Options()
    listing = paginate(request, queries.callbacks(user), QUEUE_SIZE)
    context = {"page": listing, "rows": _rows(listing, user, options, CALLBACK_ACTIONS)}
    return render(request, "cases/callbacks.html", context)
