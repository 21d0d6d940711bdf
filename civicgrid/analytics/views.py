"""The city map (一张图): grids coloured by open cases, street outlines, live case points.

The page only; the GeoJSON it draws is the cases app's (``cases.views.maps``), which
the smaller maps on other pages draw as well."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.accounts.pages import page
from civicgrid.cases.maps import LOAD_CLASSES, map_strings


@page("map")
@require_GET
def city_map(request):
    return render(
        request, "analytics/map.html", {"load_classes": LOAD_CLASSES, "map_strings": map_strings()}
    )
