"""What the case views share: finding a visible case, action slots, redirects."""

from dataclasses import dataclass, field

from django.core.paginator import Page
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from civicgrid.core.paging import BoundedPaginator, page_then_rows
from civicgrid.routing.models import RequestType

from .. import lifecycle
from ..forms import ACTION_FORMS, ActionForm, Options, action_form
from ..lifecycle import Action
from ..models import Case, Status
from ..queries import action_label, rows
from ..scope import visible_cases


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def visible_case_or_404(user, number: str) -> Case:
    """The case with this number if ``user`` may see it; a case out of scope is a 404."""
    case = (
        rows(visible_cases(user, Case.objects.filter(number=number)), grid_outline=True)
        .select_related("merged_into", "created_by")
        .first()
    )
    if case is None:
        raise Http404("no such case in your scope")
    return case


def is_visible(user, case: Case) -> bool:
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def safe_next(request) -> str:
    """The page to go back to after an action, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def paginate(request, queryset, size: int, *, bound: int | None = None) -> Page:
    return BoundedPaginator(queryset, size, bound=bound).get_page(request.GET.get("page"))


def paginate_rows(request, queryset, size: int, *, bound: int | None = None) -> Page:
    """``paginate`` for the work queues, in two reads (``core.paging.page_then_rows``):
    the page's ids in the queue's order (from its partial index), then those rows with
    everything they show."""
    ids = queryset.prefetch_related(None).values_list("pk", flat=True)
    paginator = BoundedPaginator(ids, size, bound=bound)
    return page_then_rows(
        paginator, request.GET.get("page"), lambda pks: queryset.filter(pk__in=pks)
    )


def first_rows(queryset, size: int) -> list:
    """The first ``size`` rows of a work list in two reads, as ``paginate_rows``: their
    ids in the list's order (its index alone), then those rows. In one read PostgreSQL
    visited every waiting case's row to test a filter the index carries."""
    ids = list(queryset.prefetch_related(None).values_list("pk", flat=True)[:size])
    found = {row.pk: row for row in queryset.filter(pk__in=ids)} if ids else {}
    return [found[pk] for pk in ids if pk in found]


@dataclass
class ActionSlot:
    """One action the user may take on a case now, with its form."""

    action: str
    label: str
    form: ActionForm

    @property
    def danger(self) -> bool:
        return self.form.danger


@dataclass
class Row:
    """A case in a queue, with what the queue shows next to it."""

    case: Case
    actions: list[ActionSlot] = field(default_factory=list)
    suggestion: tuple | None = None
    map: dict | None = None
    # Light rows (``queues.rows_with_opener``): the label of the button that loads the
    # row's forms, and the queue whose forms it loads.
    opener: str = ""
    queue: str = ""


def action_slots(
    case: Case,
    user,
    options: Options,
    *,
    only=None,
    bound: ActionForm | None = None,
    initial: dict | None = None,
) -> list[ActionSlot]:
    """A form for every action ``user`` may take on ``case`` now, in the table's order."""
    slots = []
    for action in lifecycle.allowed_actions(case.status):
        if action not in ACTION_FORMS or (only is not None and action not in only):
            continue
        if not lifecycle.can(case, action, user):
            continue
        if bound is not None and bound.prefix == action:
            form = bound
        else:
            form = action_form(action, case, options, initial=(initial or {}).get(action))
        slots.append(ActionSlot(action, action_label(action), form))
    usual = usual_next(case)
    # The form being corrected first, then the usual next step, refusals and returns last.
    slots.sort(key=lambda slot: (not slot.form.is_bound, slot.action != usual, slot.danger))
    return slots


# The action most people take next in each status; pages show it first.
USUAL_NEXT = {
    Status.REGISTERED: Action.DISPATCH,
    Status.DISPATCHED: Action.ACKNOWLEDGE,
    Status.HANDLING: Action.REPLY,
    Status.EXTENSION_REQUESTED: Action.APPROVE_EXTENSION,
    Status.RETURN_REQUESTED: Action.ACCEPT_RETURN,
    Status.REPLIED: Action.VERIFY_PASS,
    Status.VERIFIED: Action.CALLBACK,
    Status.RATED: Action.CLOSE,
}


def usual_next(case: Case) -> str | None:
    if case.status == Status.REGISTERED and case.request_type == RequestType.INQUIRY:
        return Action.ANSWER_DIRECTLY  # inquiries are mostly answered on the phone
    return USUAL_NEXT.get(case.status)


def map_data(case: Case) -> dict:
    """What the case's small map draws: its point (WGS84) and its grid's outline."""
    grid = None
    if case.grid_id and case.grid.boundary:
        grid = {
            "type": "Feature",
            "geometry": case.grid.boundary,
            "properties": {"code": case.grid.code, "name": case.grid.name},
        }
    point = [case.lng, case.lat] if case.has_position else None
    return {"point": point, "grid": grid, "light": case.light()}
