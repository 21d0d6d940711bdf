"""The city map, the leaders' one screen (一张图) with its drill-down and wall mode, the
daily/weekly/monthly reports and the early-warning notices.

Pages only read: the figures are ``figures``' counts, each linking to the case list.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.accounts.pages import page
from civicgrid.cases.maps import LOAD_CLASSES, map_strings
from civicgrid.cases.views.common import is_htmx, paginate
from civicgrid.core import bodies
from civicgrid.emergency import warning_flow

from . import figures, reports
from .models import SurgeNotice
from .periods import KINDS, BadPeriod, Period, from_query, of
from .screen import screen_context

MAX_WARNINGS = 200


@page("map")
@require_GET
def city_map(request):
    # Warnings in force, a layer over the grids (coloured by level).
    warnings = warning_flow.map_layer(warning_flow.in_force_for(request.user)[:MAX_WARNINGS])
    return render(
        request,
        "analytics/map.html",
        {
            "load_classes": LOAD_CLASSES,
            "map_strings": {**map_strings(), "warnings": _("Warnings in force")},
            "map_warnings": warnings,
        },
    )


def _region_and_period(request) -> tuple:
    """The region asked for (404 outside the user's scope) and the period (an error
    message and today's period when the period given is bad)."""
    region = figures.region_for(request.user, request.GET.get("region"))
    if region is None:
        raise Http404(_("No such region in your area."))
    try:
        return region, from_query(request.GET), ""
    except BadPeriod as bad:
        return region, of("today"), bad.message


@page("screen")
@require_GET
def screen(request):
    region, period, error = _region_and_period(request)
    wall = request.GET.get("wall") == "1"
    context = screen_context(request.user, region, period, wall=wall)
    context.update(
        error=error,
        kinds=KINDS,
        wall=wall,
        load_classes=LOAD_CLASSES,
        map_strings=map_strings(),
    )
    if is_htmx(request):
        return render(request, "analytics/partials/_screen_body.html", context)
    template = "analytics/wall.html" if context["wall"] else "analytics/screen.html"
    return render(request, template, context)


def _report_period(request) -> tuple[Period, str]:
    kind = request.GET.get("period") or "day"
    try:
        return reports.period_of(kind, request.GET), ""
    except BadPeriod as bad:
        return reports.period_of("day", {}), bad.message


@page("reports")
@require_GET
def report(request):
    region, _period, _error = _region_and_period(request)
    period, error = _report_period(request)
    data = reports.kept(region, period)
    return render(
        request,
        "analytics/report.html",
        {"report": data, "error": error, "region": region, "kinds": reports.KINDS},
    )


REPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _report_file(request, extension: str, disposition: str) -> HttpResponse:
    """The kept workbook or PDF; a browser holding it (its ``ETag``) gets a 304."""
    region, _period, _error = _region_and_period(request)
    period, _error = _report_period(request)
    name, found = reports.kept_file(region, period, extension)
    response = bodies.answer(
        request,
        found,
        content_type=REPORT_TYPES[extension],
        cache_control="private, no-cache",
        compress=False,
    )
    if response.status_code == 200:
        response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@page("reports")
@require_GET
def report_xlsx(request):
    return _report_file(request, "xlsx", "attachment")


@page("reports")
@require_GET
def report_pdf(request):
    return _report_file(request, "pdf", "inline")


@page("reports")
@require_GET
def warnings(request):
    notices = SurgeNotice.objects.in_scope(figures.roots(request.user)).order_by("-day", "-excess")
    listing = paginate(request, notices.select_related("region", "category"), 50)
    return render(request, "analytics/warnings.html", {"page": listing, "now": timezone.now()})
