from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from civicgrid.core.admin import ReadOnlyAdmin

from . import services
from .models import ClientSystem, ClientUpdate, ServiceRequest


@admin.register(ClientSystem)
class ClientSystemAdmin(admin.ModelAdmin):
    """Client systems and their API keys; a key is shown once, when it is issued."""

    list_display = ["name", "user", "prefix", "active", "created_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "user", "active", "prefix", "created_at", "last_used_at"]
    autocomplete_fields = ["user"]
    actions = ["issue_new_key"]

    def save_model(self, request, obj, form, change):
        raw = None if change else obj.new_key()
        super().save_model(request, obj, form, change)
        if raw:
            self._show_key(request, obj, raw)

    @admin.action(description=_("Issue a new API key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        for client in queryset:
            self._show_key(request, client, services.rotate_key(client))

    def _show_key(self, request, client, raw):
        self.message_user(
            request,
            _("API key of %(name)s, shown only this once; copy it now: %(key)s")
            % {"name": client.name, "key": raw},
            messages.WARNING,
        )


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "client", "token", "account_id", "created_at"]
    list_filter = ["client"]
    search_fields = ["case__number", "token"]
    list_select_related = ["case", "client"]


@admin.register(ClientUpdate)
class ClientUpdateAdmin(ReadOnlyAdmin):
    list_display = ["client", "update_id", "event", "created_at"]
    list_filter = ["client"]
    search_fields = ["update_id"]
    list_select_related = ["client", "event", "event__case"]
