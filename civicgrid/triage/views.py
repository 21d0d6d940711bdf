"""The triage queue (dispatcher): registered cases, each with the department the rules
suggest and the model's top categories."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.accounts.pages import page
from civicgrid.cases import queries
from civicgrid.cases.forms import Options
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Light
from civicgrid.cases.views.common import is_htmx, paginate
from civicgrid.cases.views.queues import EXTENSION_ACTIONS, QUEUE_SIZE, rows_with_actions
from civicgrid.routing.services import suggest_for_cases

from . import auto
from .models import CaseTriage

TRIAGE_ACTIONS = (Action.DISPATCH, Action.ANSWER_DIRECTLY)


def stored_guesses(case) -> list[dict]:
    """The model's stored top 3 for ``case`` (empty before the worker saw it); the
    dispatch form offers them (``cases.extensions.register_category_guesses``)."""
    guesses = getattr(case, "model_suggestions", None)
    if guesses is not None:
        return guesses
    if case.pk is None:
        return []
    row = CaseTriage.objects.filter(case=case).values_list("suggestions", flat=True).first()
    return row or []


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
def queue(request):
    """Registered cases, most pressing first, each with the department the rules suggest."""
    user, options = request.user, Options()
    light = request.GET.get("light", "")
    waiting = queries.triage_queue(user)
    if light in Light.values:
        waiting = waiting.with_light(light)
    listing = paginate(request, waiting, QUEUE_SIZE)
    cases = list(listing)
    context = {
        "page": listing,
        "rows": rows_with_actions(cases, user, options, TRIAGE_ACTIONS, _routes_with_model(cases)),
        "light": light,
        "lights": Light.choices,
    }
    if is_htmx(request):
        return render(request, "triage/partials/_queue.html", context)
    placement = list(queries.triage_queue(user).filter(needs_placement=True)[:QUEUE_SIZE])
    extensions = list(queries.extension_requests(user)[:QUEUE_SIZE])
    returned = list(queries.returned(user)[:QUEUE_SIZE])
    context.update(
        counts=queries.work_counts(user),
        placement=rows_with_actions(placement, user, options, (Action.PLACE,)),
        extensions=rows_with_actions(extensions, user, options, EXTENSION_ACTIONS),
        # Reviewed on the case page, where the timeline tells the whole story.
        returned=rows_with_actions(returned, user, options, ()),
    )
    return render(request, "triage/queue.html", context)
