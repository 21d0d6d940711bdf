from django.contrib import admin

from .models import RateCount, Tracking


@admin.register(Tracking)
class TrackingAdmin(admin.ModelAdmin):
    """Read-only: links are given to citizens, never made or edited here."""

    list_display = ("case", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("case__number",)
    readonly_fields = ("case", "role", "token_hash", "key_hash", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(RateCount)
class RateCountAdmin(admin.ModelAdmin):
    list_display = ("key", "window_start", "count")
    ordering = ("-window_start",)
