from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Regions are imported from GeoJSON (``import-regions``); here they are browsed and
    renamed. The boundary is shown as a summary: a district's polygon is tens of KB."""

    list_display = ["code", "name", "level", "parent", "grid_kind", "households"]
    list_filter = ["level", "grid_kind"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "boundary_summary", "centroid_lat", "centroid_lng", "updated_at"]
    exclude = ["boundary"]

    def get_queryset(self, request):
        # The list never shows the boundary: do not fetch it.
        return super().get_queryset(request).defer("boundary", "parent__boundary")

    @admin.display(description=gettext_lazy("boundary"))
    def boundary_summary(self, obj):
        if not obj.boundary:
            return "—"
        polygons = obj.boundary.get("coordinates", [])
        if obj.boundary.get("type") == "Polygon":
            polygons = [polygons]
        points = sum(len(ring) for polygon in polygons for ring in polygon)
        return _("%(type)s, %(points)d points (WGS84)") % {
            "type": obj.boundary.get("type"),
            "points": points,
        }
