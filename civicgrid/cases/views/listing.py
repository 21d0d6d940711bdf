"""The case list and search, for leaders and everyone."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.accounts.pages import page
from civicgrid.regions.models import Region

from .. import queries
from ..forms import CaseFilterForm, Options
from ..models import Case
from ..scope import visible_cases
from ..search import NEWEST_FIRST, CaseFilter
from .common import is_htmx, paginate

PAGE_SIZE = 25
# A text search counts its hits only this far ("more than 1000 cases"): a word of two
# Chinese characters is too short for the trigram index (migration 0009), so counting
# every hit reads every case, while the first 1,001 hits of a common word are found early.
TEXT_COUNT_BOUND = 1_000


@page("cases")
@require_GET
def case_list(request):
    options = Options()
    form = CaseFilterForm(request.GET, options=options)
    filters = CaseFilter.of(form.cleaned_data) if form.is_valid() else CaseFilter()
    cases = filters.apply(visible_cases(request.user, Case.objects.all()))
    bound = TEXT_COUNT_BOUND if filters.text.strip() else None
    rows = queries.rows(cases).order_by(*NEWEST_FIRST)
    listing = paginate(request, rows, PAGE_SIZE, bound=bound)
    region = Region.objects.filter(code=filters.region).first() if filters.region else None
    context = {"form": form, "page": listing, "region": region}
    template = "cases/partials/_case_table.html" if is_htmx(request) else "cases/list.html"
    return render(request, template, context)
