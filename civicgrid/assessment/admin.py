from django.contrib import admin

from civicgrid.core.admin import ReadOnlyAdmin

from .forms import SchemeAdminForm
from .models import DailyFigure, ListEntry, MonthList, ReverseEvaluation, Scheme


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    """The assessment schemes: a new version for a coming month; one in force is read only
    (the form refuses the change: past months are scored with it)."""

    form = SchemeAdminForm
    list_display = ["name", "valid_from", "grade_a", "grade_b", "grade_c"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReverseEvaluation)
class ReverseEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["month", "rater_kind", "region", "department", "stars"]
    list_filter = ["rater_kind", "month"]
    readonly_fields = [f.name for f in ReverseEvaluation._meta.fields]


class ListEntryInline(admin.TabularInline):
    model = ListEntry
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "rank", "department", "score", "grade", "records"]


@admin.register(MonthList)
class MonthListAdmin(ReadOnlyAdmin):
    list_display = ["month", "scheme", "compiled_at", "public"]
    readonly_fields = [f.name for f in MonthList._meta.fields]
    inlines = [ListEntryInline]


@admin.register(DailyFigure)
class DailyFigureAdmin(ReadOnlyAdmin):
    """The rollup, for checking: written by ``civicgrid rollup`` only."""

    list_display = ["day", "department", "region", "category", "channel", "received", "closed"]
    list_filter = ["channel"]
    date_hierarchy = "day"
    readonly_fields = [f.name for f in DailyFigure._meta.fields]
