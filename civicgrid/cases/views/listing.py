"""The case list and search, for leaders and everyone."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.accounts.pages import page
from civicgrid.core.paging import keyset_page
from civicgrid.regions.models import Region

from .. import queries, search
from ..forms import CaseFilterForm, Options
from ..models import Case
from ..scope import visible_cases
from ..search import CaseFilter
from .common import is_htmx

PAGE_SIZE = 25
# ``?page=N`` (links from before the older / newer ones) is read by offset up to here;
# further on it is this page: an offset reads every row it skips.
FIRST_PAGES = 10
# What is not a filter: where in the list a page starts.
POSITION = ("older_than", "newer_than", "page")


@page("cases")
@require_GET
def case_list(request):
    """Newest first, 25 at a time; "older" and "newer" page on from the last or first
    case shown (keyset), so any depth costs what the first page costs
    (docs/performance.md)."""
    options = Options()
    form = CaseFilterForm(request.GET, options=options)
    filters = CaseFilter.of(form.cleaned_data) if form.is_valid() else CaseFilter()
    cases = filters.apply(visible_cases(request.user, Case.objects.all()))
    bound = search.TEXT_COUNT_BOUND if filters.text.strip() else None
    listing = keyset_page(
        queries.list_rows(cases), PAGE_SIZE, bound=bound, **_position(request.GET)
    )
    region = None
    if filters.region:  # its name, not its outline
        region = Region.objects.filter(code=filters.region).only("code", "name").first()
    query = request.GET.copy()
    for name in POSITION:
        query.pop(name, None)
    context = {"form": form, "page": listing, "region": region, "filters": query.urlencode()}
    template = "cases/partials/_case_table.html" if is_htmx(request) else "cases/list.html"
    return render(request, template, context)


def _position(params) -> dict:
    """Where the page starts: after a case (``older_than``), before one (``newer_than``),
    or on one of the first pages (``page``); an unknown case number is the first page."""
    for name in ("older_than", "newer_than"):
        number = params.get(name, "").strip()
        if number:
            key = Case.objects.filter(number=number).values_list("created_at", "id").first()
            return {name: key} if key else {}
    try:
        number = min(max(int(params.get("page", 1)), 1), FIRST_PAGES)
    except ValueError:
        number = 1
    return {"offset": (number - 1) * PAGE_SIZE}
