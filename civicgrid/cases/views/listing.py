"""The case list and search, for leaders and everyone."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.accounts.pages import page
from civicgrid.regions.models import Region

from .. import queries
from ..forms import CaseFilterForm, Options
from .common import is_htmx, paginate

PAGE_SIZE = 25


@page("cases")
@require_GET
def case_list(request):
    options = Options()
    form = CaseFilterForm(request.GET, options=options)
    filters = queries.Search()
    if form.is_valid():
        filters = queries.Search(**{k: v for k, v in form.cleaned_data.items() if v})
    listing = paginate(request, queries.search(request.user, filters), PAGE_SIZE)
    region = Region.objects.filter(code=filters.region).first() if filters.region else None
    context = {"form": form, "page": listing, "region": region}
    template = "cases/partials/_case_table.html" if is_htmx(request) else "cases/list.html"
    return render(request, template, context)
