from django.contrib import admin

from civicgrid.core.admin import ReadOnlyAdmin

from .models import (
    CentreTask,
    Council,
    CouncilTask,
    Household,
    MustAttend,
    MustAttendRule,
    PointEntry,
    Reward,
    TaskReply,
    TeamMember,
    Visit,
    VisitRule,
    WorkerRecord,
)


@admin.register(VisitRule)
class VisitRuleAdmin(admin.ModelAdmin):
    """How often each category of household is visited (missing rows: the defaults)."""

    list_display = ["category", "every_months"]


@admin.register(MustAttendRule)
class MustAttendRuleAdmin(admin.ModelAdmin):
    """The categories whose cases the grid worker must attend (五必到)."""

    list_display = ["category", "minutes", "active"]
    autocomplete_fields = ["category"]


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "speciality", "grid", "active"]
    list_filter = ["role", "active"]
    search_fields = ["name", "grid__name", "grid__code"]
    raw_id_fields = ["grid", "user"]


@admin.register(WorkerRecord)
class WorkerRecordAdmin(admin.ModelAdmin):
    list_display = ["worker", "kind", "on", "title", "score"]
    list_filter = ["kind"]
    raw_id_fields = ["worker", "recorded_by"]


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["name", "points", "stock", "active"]


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    """Households are kept by the grid's team; the contact is not shown here."""

    list_display = ["label", "category", "grid", "consent_on", "active"]
    list_filter = ["category", "active"]
    search_fields = ["label", "grid__code"]
    readonly_fields = ["grid", "label", "category", "consent_on", "consent_by", "active"]
    exclude = ["contact_name", "contact_phone"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["household", "month", "visited_on", "worker"]
    list_filter = ["month"]
    readonly_fields = [f.name for f in Visit._meta.fields if f.editable]


@admin.register(MustAttend)
class MustAttendAdmin(ReadOnlyAdmin):
    list_display = ["case", "grid", "due_at", "arrived_at"]
    readonly_fields = [f.name for f in MustAttend._meta.fields]


@admin.register(PointEntry)
class PointEntryAdmin(ReadOnlyAdmin):
    """The ledger is append-only: entries are neither edited nor deleted."""

    list_display = ["household", "points", "reason", "actor", "at"]
    readonly_fields = [f.name for f in PointEntry._meta.fields]


class ReplyInline(admin.TabularInline):
    model = TaskReply
    extra = 0
    readonly_fields = ["grid", "result", "done_at", "done_by"]
    can_delete = False


@admin.register(CentreTask)
class CentreTaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "created_by", "created_at", "due_at"]
    readonly_fields = ["title", "details", "due_at", "created_by", "created_at"]
    inlines = [ReplyInline]


class CouncilTaskInline(admin.TabularInline):
    model = CouncilTask
    extra = 0


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["topic", "grid", "meeting_on", "attendance"]
    raw_id_fields = ["grid", "created_by"]
    inlines = [CouncilTaskInline]
