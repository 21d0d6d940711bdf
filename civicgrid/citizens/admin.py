from django.contrib import admin

from civicgrid.core.admin import ReadOnlyAdmin

from .models import RateCount, Tracking


@admin.register(Tracking)
class TrackingAdmin(ReadOnlyAdmin):
    """Read-only: links are given to citizens, never made or edited here."""

    deletable = True

    list_display = ("case", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("case__number",)
    readonly_fields = ("case", "role", "token_hash", "key_hash", "created_at")


@admin.register(RateCount)
class RateCountAdmin(admin.ModelAdmin):
    list_display = ("key", "window_start", "count")
    ordering = ("-window_start",)
