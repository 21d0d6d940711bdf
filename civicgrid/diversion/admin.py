from django.contrib import admin

from .models import Diversion


@admin.register(Diversion)
class DiversionAdmin(admin.ModelAdmin):
    list_display = ["incident_number", "case", "received_at", "police_received_at"]
    search_fields = ["incident_number", "case__number"]
    readonly_fields = ["incident_number", "case", "received_at", "police_received_at"]

    def has_add_permission(self, request):
        return False  # diversions arrive through the API
