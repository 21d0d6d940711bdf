from django.contrib import admin

from .models import CoPart, DutySummons, Stationing


@admin.register(Stationing)
class StationingAdmin(admin.ModelAdmin):
    """The rota of the units stationed in a district centre (进驻部门)."""

    list_display = ["department", "centre", "mode", "starts_on", "ends_on", "desk"]
    list_filter = ["mode", "centre"]
    autocomplete_fields = ["department", "centre"]
    date_hierarchy = "starts_on"


@admin.register(DutySummons)
class DutySummonsAdmin(admin.ModelAdmin):
    list_display = ["case", "stationing", "by", "at"]
    readonly_fields = ["case", "stationing", "note", "by", "at"]

    def has_add_permission(self, request):
        return False


@admin.register(CoPart)
class CoPartAdmin(admin.ModelAdmin):
    list_display = ["case", "department", "due_at", "replied_at"]
    readonly_fields = ["case", "department", "reply", "replied_at", "replied_by"]

    def has_add_permission(self, request):
        return False
