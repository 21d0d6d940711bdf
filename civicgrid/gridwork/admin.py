from django.contrib import admin

from civicgrid.core.admin import ReadOnlyAdmin

from .models import Patrol, Summons


@admin.register(Patrol)
class PatrolAdmin(ReadOnlyAdmin):
    """Patrols are started and ended by grid workers in 网格通."""

    deletable = True
    list_display = ["worker", "started_at", "ended_at"]
    list_filter = ["started_at"]
    search_fields = ["worker__username", "notes"]
    readonly_fields = ["worker", "started_at", "ended_at", "notes"]


@admin.register(Summons)
class SummonsAdmin(ReadOnlyAdmin):
    """Summonses come from the whistle on a case page."""

    deletable = True
    list_display = ["case", "department", "summoned_at", "due_at", "reported_at"]
    list_filter = ["department", "summoned_at"]
    search_fields = ["case__number", "department__name"]
    readonly_fields = [f.name for f in Summons._meta.fields]
