from django.contrib import admin

from civicgrid.core.admin import ReadOnlyAdmin

from .models import (
    Copy,
    CopyRule,
    Inspection,
    Milestone,
    Order,
    Project,
    Review,
    ReviewTask,
    SiteVisit,
)


@admin.register(CopyRule)
class CopyRuleAdmin(admin.ModelAdmin):
    """Which cases are copied to discipline inspection: switch rules on and off, list the
    categories of the category rule."""

    list_display = ["reason", "active"]
    list_editable = ["active"]
    filter_horizontal = ["categories"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Orders are issued on the case page or by the escalation rule (``supervise``)."""

    list_display = ["case", "department", "level", "status", "issued_at", "due_at"]
    list_filter = ["level", "status", "department"]
    search_fields = ["case__number", "department__name"]
    readonly_fields = [f.name for f in Order._meta.fields]


class ReviewTaskInline(admin.TabularInline):
    model = ReviewTask
    extra = 0
    can_delete = False
    readonly_fields = ["department", "task", "due_at", "done_at"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "held_at", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["case__number"]
    readonly_fields = [f.name for f in Review._meta.fields]
    inlines = [ReviewTaskInline]


@admin.register(SiteVisit)
class SiteVisitAdmin(ReadOnlyAdmin):
    list_display = ["case", "visitors", "visited_at"]
    search_fields = ["case__number", "visitors"]
    readonly_fields = [f.name for f in SiteVisit._meta.fields]


@admin.register(Copy)
class CopyAdmin(ReadOnlyAdmin):
    list_display = ["case", "reason", "department", "copied_at", "signed_off_at"]
    list_filter = ["reason", "signed_off_at"]
    search_fields = ["case__number"]
    readonly_fields = [f.name for f in Copy._meta.fields]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["copy", "measure", "by", "at", "due_at"]
    list_filter = ["measure"]
    readonly_fields = [f.name for f in Inspection._meta.fields]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    readonly_fields = ["done_at", "done_by"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Problems of the month (未诉先办) with their milestones."""

    list_display = ["title", "owner", "region", "month", "due_on", "status"]
    list_filter = ["status", "owner"]
    search_fields = ["title", "source"]
    raw_id_fields = ["region"]
    readonly_fields = ["created_by", "created_at", "closed_at"]
    inlines = [MilestoneInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
