from django.contrib import admin

from civicgrid.core.admin import ReadOnlyAdmin

from .models import Diversion


@admin.register(Diversion)
class DiversionAdmin(ReadOnlyAdmin):
    """Diversions arrive through the API."""

    deletable = True
    list_display = ["incident_number", "case", "received_at", "police_received_at"]
    search_fields = ["incident_number", "case__number"]
    readonly_fields = ["incident_number", "case", "received_at", "police_received_at"]
