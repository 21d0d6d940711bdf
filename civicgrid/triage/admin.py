from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import TriageModel


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin):
    list_display = ["version", "created_at", "macro_f1", "is_active", "note"]
    readonly_fields = ["version", "created_at", "path", "metrics", "is_active"]
    actions = ["activate"]

    def has_add_permission(self, request):
        # Versions come from `civicgrid train-triage`, which evaluates them.
        return False

    @admin.action(description=_("Put the selected version in use"))
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version."), messages.ERROR)
            return
        row = services.activate(queryset.get())
        self.message_user(
            request, _("Version %(version)s is now active.") % {"version": row.version}
        )
