"""Admin: plans and their levels and steps are edited here too; incidents are read
here, changed only through the command room (its services keep the log); the log is
never edited."""

from django.contrib import admin

from civicgrid.core.admin import ReadOnlyAdmin

from .models import Incident, IncidentCase, LogEntry, Plan, PlanLevel, PlanStep, Report, Task


class PlanLevelInline(admin.TabularInline):
    model = PlanLevel
    extra = 0
    filter_horizontal = ("member_units",)


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active", "drilled_on", "revised_on")
    search_fields = ("code", "name")
    inlines = [PlanLevelInline, PlanStepInline]


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "number", "text", "author", "filed_at", "due_at", "late")

    def has_add_permission(self, request, obj=None):
        return False


class CaseInline(admin.TabularInline):
    model = IncidentCase
    extra = 0
    can_delete = False
    readonly_fields = ("case", "added_at", "added_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("title", "drill", "type_code", "severity", "level", "status", "created_at")
    list_filter = ("status", "drill", "severity")
    search_fields = ("title", "case__number")
    inlines = [ReportInline, CaseInline]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("incident", "position", "unit", "status", "due_at")
    list_filter = ("status",)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ("incident", "at", "kind", "actor", "text")
    list_filter = ("kind",)
