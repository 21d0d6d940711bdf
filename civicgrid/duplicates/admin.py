"""Read-only views of supporters and hot issues: both are written by services only."""

from django.contrib import admin

from civicgrid.core.admin import ReadOnlyAdmin

from .models import HotIssue, Supporter


@admin.register(Supporter)
class SupporterAdmin(ReadOnlyAdmin):
    deletable = True
    list_display = ["case", "contact", "channel", "created_at"]
    list_select_related = ["case"]
    search_fields = ["case__number"]
    exclude = ["phone_hash"]


@admin.register(HotIssue)
class HotIssueAdmin(ReadOnlyAdmin):
    deletable = True
    list_display = ["title", "heat", "reports", "reporters", "supporters", "region", "last_seen"]
    exclude = ["cases"]
    raw_id_fields = ["representative"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region").defer("region__boundary")
