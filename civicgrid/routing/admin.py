from django.contrib import admin

from .models import Category, Department, RoutingRule, TimeLimitPolicy


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
    list_display = ["code", "name", "parent", "default_urgency", "active"]
    list_filter = ["default_urgency", "active"]
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
