"""Admin: plans and their levels and steps are edited here too; incidents are read
here, changed only through the command room (its services keep the log); the log is
never edited."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from civicgrid.core.admin import ReadOnlyAdmin

from . import stockfile
from .models import Incident, IncidentCase, LogEntry, Plan, PlanLevel, PlanStep, Report, Task
from .resources import Deployment, Expert, Item, Shelter, Shipment, Stock, Team, Warehouse


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


# --- resources -----------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))


class ImportingAdmin(admin.ModelAdmin):
    """A resource admin with "import from Excel" (``stockfile``): all rows or none."""

    import_kind = ""
    change_list_template = "admin/emergency/import_change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        name = f"emergency_{self.model._meta.model_name}_import"
        return [path("import/", view, name=name), *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                n = stockfile.import_workbook(self.import_kind, form.cleaned_data["file"].read())
            except stockfile.ImportRefused as refused:
                errors = refused.errors
            else:
                messages.success(request, _("%(n)s rows imported.") % {"n": n})
                return redirect(f"admin:emergency_{self.model._meta.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
            "columns": ", ".join(stockfile.COLUMNS[self.import_kind]),
            "title": _("Import from Excel"),
        }
        return render(request, "admin/emergency/import.html", context)


@admin.register(Warehouse)
class WarehouseAdmin(ImportingAdmin):
    import_kind = "warehouses"
    list_display = ("name", "unit", "region", "lng", "lat")
    search_fields = ("name",)


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit_of_measure")
    search_fields = ("code", "name")


class LowStockFilter(admin.SimpleListFilter):
    title = _("low stock")
    parameter_name = "low"

    def lookups(self, request, model_admin):
        return [("1", _("below the minimum level"))]

    def queryset(self, request, queryset):
        return queryset.filter(quantity__lt=F("minimum")) if self.value() == "1" else queryset


@admin.register(Stock)
class StockAdmin(ImportingAdmin):
    import_kind = "stock"
    list_display = ("warehouse", "item", "quantity", "minimum", "low")
    list_filter = (LowStockFilter,)
    search_fields = ("warehouse__name", "item__name", "item__code")

    @admin.display(boolean=True, description=_("low stock"))
    def low(self, obj):
        return obj.low


@admin.register(Team)
class TeamAdmin(ImportingAdmin):
    import_kind = "teams"
    list_display = ("name", "unit", "size", "available")
    list_filter = ("available",)
    search_fields = ("name",)


@admin.register(Expert)
class ExpertAdmin(ImportingAdmin):
    import_kind = "experts"
    list_display = ("name", "field", "masked_phone")
    search_fields = ("name", "field")
    exclude = ()


@admin.register(Shelter)
class ShelterAdmin(ImportingAdmin):
    import_kind = "shelters"
    list_display = ("name", "capacity", "level")
    search_fields = ("name",)


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    list_display = ("incident", "team", "status", "sent_at", "arrived_at")
    list_filter = ("status",)


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ("incident", "warehouse", "item", "quantity", "shipped_at")
