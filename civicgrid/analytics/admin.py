from django.contrib import admin

from civicgrid.core.admin import ReadOnlyAdmin

from .models import SurgeNotice


@admin.register(SurgeNotice)
class SurgeNoticeAdmin(ReadOnlyAdmin):
    """Raised by ``civicgrid early-warning``; read-only."""

    list_display = ["day", "region", "category", "count", "baseline_mean", "threshold"]
    list_filter = ["day"]
    readonly_fields = [f.name for f in SurgeNotice._meta.fields]
