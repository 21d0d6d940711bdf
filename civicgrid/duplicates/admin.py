"""Read-only views of supporters and hot issues: both are written by services only."""

from django.contrib import admin

from .models import HotIssue, Supporter


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Supporter)
class SupporterAdmin(ReadOnly):
    list_display = ["case", "contact", "channel", "created_at"]
    list_select_related = ["case"]
    search_fields = ["case__number"]
    exclude = ["phone_hash"]


@admin.register(HotIssue)
class HotIssueAdmin(ReadOnly):
    list_display = ["title", "heat", "reports", "reporters", "supporters", "region", "last_seen"]
    exclude = ["cases"]
    raw_id_fields = ["representative"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region").defer("region__boundary")
