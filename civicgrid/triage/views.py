"""The triage queue (dispatcher): registered cases, each with the department the rules
suggest and the model's top categories.

The cards are light — the case, the model's guesses, the suggested department and one
button — and the forms of a case (dispatch, answer directly) come on demand from
``case_forms``: into the card with htmx, or as a page of their own without script. A
queue of 50 cases is therefore one page of summaries, not 50 forms of 500 categories
and 31 units.
"""

from dataclasses import dataclass

from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.accounts.pages import page
from civicgrid.cases import lifecycle, queries
from civicgrid.cases.forms import Options
from civicgrid.cases.forms.dispatch import route_category
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, Light
from civicgrid.cases.views.common import (
    Row,
    action_slots,
    first_rows,
    is_htmx,
    paginate_rows,
    safe_next,
    visible_case_or_404,
)
from civicgrid.cases.views.queues import QUEUE_SIZE, rows_with_opener
from civicgrid.routing import leaves
from civicgrid.routing.services import Suggestion, suggest_for_cases

from . import auto
from .models import CaseTriage

TRIAGE_ACTIONS = (Action.DISPATCH, Action.ANSWER_DIRECTLY)
# The work lists above the queue show their first rows, most pressing first; the next
# come up as these are done (the strip and each list's head give the whole count). Fifty
# of each made the page 270 kB and a third of its rendering time (#10); ten, with the
# queue's page, still most of it (#11).
WORK_LIST = 5


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


@dataclass
class Card:
    """A case in the triage queue: what the dispatcher decides by, no forms."""

    case: Case
    suggestion: Suggestion
    can_act: bool


def _routes_with_model(cases) -> dict:
    """Routing suggestions for the category the dispatch form will preselect (a leaf the
    words name beneath the model's guess, else the guess); each case also gets
    ``model_suggestions`` (top 3) and ``triage_row`` for the queue."""
    if not cases:
        return {}
    stored = {row.case_id: row for row in CaseTriage.objects.filter(case__in=cases)}
    fresh = auto.fresh_suggestions([c for c in cases if c.pk not in stored])
    for case in cases:
        case.triage_row = stored.get(case.pk)
        case.model_suggestions = (
            case.triage_row.suggestions if case.triage_row else fresh.get(case.pk, [])
        )
    tree = leaves.tree()
    route_by = {c.pk: route_category(c, c.model_suggestions, tree) for c in cases}
    return suggest_for_cases(cases, route_by)


def cards(cases, user) -> list[Card]:
    routes = _routes_with_model(cases)
    return [
        Card(case, routes[case.pk], any(lifecycle.can(case, a, user) for a in TRIAGE_ACTIONS))
        for case in cases
    ]


@page("triage")
@require_GET
def queue(request):
    """Registered cases, most pressing first, each with the department the rules suggest."""
    user = request.user
    light = request.GET.get("light", "")
    waiting = queries.without_outlines(queries.triage_queue(user))
    if light in Light.values:
        waiting = waiting.with_light(light)
    listing = paginate_rows(request, waiting, QUEUE_SIZE)
    context = {
        "page": listing,
        "rows": cards(list(listing), user),
        "light": light,
        "lights": Light.choices,
    }
    if is_htmx(request):
        return render(request, "triage/partials/_queue.html", context)
    slim = queries.without_outlines
    placement = first_rows(slim(queries.triage_queue(user).filter(needs_placement=True)), WORK_LIST)
    extensions = list(slim(queries.extension_requests(user))[:WORK_LIST])
    returned = list(slim(queries.returned(user))[:WORK_LIST])
    context.update(
        counts=queries.work_counts(user),
        # Light rows; each loads its forms on demand (cases.views.queues.row_forms).
        placement=rows_with_opener(placement, user, "placement"),
        extensions=rows_with_opener(extensions, user, "extensions"),
        # Reviewed on the case page, where the timeline tells the whole story.
        returned=[Row(case) for case in returned],
    )
    return render(request, "triage/queue.html", context)


@page("triage")
@require_GET
def case_forms(request, number: str):
    """The triage forms of one case (dispatch first, answer directly), asked for by a
    card: the fragment for htmx, a page of its own without script."""
    case = visible_case_or_404(request.user, number)
    _routes_with_model([case])  # the model's guesses, as the card showed them
    context = {
        "case": case,
        "actions": action_slots(case, request.user, Options(), only=TRIAGE_ACTIONS),
        "next": safe_next(request),
    }
    template = "triage/partials/_case_forms.html" if is_htmx(request) else "triage/case_forms.html"
    return render(request, template, context)
