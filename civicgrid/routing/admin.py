from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .extensions import model_thresholds
from .models import Category, Department, LevelRule, RoutingRule, TimeLimitPolicy


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "stationed", "active"]
    list_filter = ["kind", "stationed", "active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["jurisdiction"]
    autocomplete_fields = ["region"]


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    autocomplete_fields = ["region", "main_department"]


class TimeLimitInline(admin.TabularInline):
    model = TimeLimitPolicy
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "parent",
        "default_urgency",
        "auto_dispatch_threshold",
        "model_threshold",
        "never_public",
        "active",
    ]
    list_filter = ["default_urgency", "never_public", "active"]
    list_editable = ["auto_dispatch_threshold"]

    def changelist_view(self, request, extra_context=None):
        self._model_thresholds = model_thresholds()
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("right ≥ 99% above (model in use)"))
    def model_threshold(self, category):
        value = getattr(self, "_model_thresholds", {}).get(category.name)
        if category.parent_id is not None or value is None:
            return "—"
        return f"{value:.2f}"

    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    inlines = [RoutingRuleInline, TimeLimitInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "region", "main_department"]
    list_filter = ["main_department"]
    search_fields = ["category__name", "category__code", "region__name"]
    autocomplete_fields = ["category", "region", "main_department"]
    filter_horizontal = ["co_departments"]


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    list_display = ["category", "urgency", "step", "amount", "unit", "yellow_at"]
    list_filter = ["urgency", "step", "unit"]
    autocomplete_fields = ["category"]


@admin.register(LevelRule)
class LevelRuleAdmin(admin.ModelAdmin):
    """Where new cases start, per category (分级受理): see docs/centres.md."""

    list_display = ["category", "start", "unit", "updated_at"]
    list_filter = ["start"]
    autocomplete_fields = ["category", "unit"]
