from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "grid_kind", "households"]
    list_filter = ["level", "grid_kind"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "boundary_summary", "centroid_lat", "centroid_lng", "updated_at"]
    exclude = ["boundary"]

    @admin.display(description=_("boundary"))
    def boundary_summary(self, obj):
        if not obj.boundary:
            return "—"
        rings = obj.boundary.get("coordinates", [])
        return f"{obj.boundary.get('type')} ({len(rings)})"
