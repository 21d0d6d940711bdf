from django.contrib import admin

from .models import Attachment, Case, CaseEvent


class EventInline(admin.TabularInline):
    """Read-only: events are append-only and change only through the lifecycle."""

    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "action", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


PERSONAL_FIELDS = ["reporter_phone", "reporter_name", "reporter_phone_hash"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Browse cases; status changes only happen in the workflow screens."""

    list_display = ["number", "title", "status", "channel", "category", "main_department", "due_at"]
    list_filter = ["status", "channel", "urgency", "needs_placement"]
    search_fields = ["number", "title"]
    date_hierarchy = "created_at"
    list_select_related = ["category", "main_department"]
    # Contacts are read only through the audited reveal, never in the admin.
    exclude = PERSONAL_FIELDS
    readonly_fields = [f.name for f in Case._meta.fields if f.name not in PERSONAL_FIELDS]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "case", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["case", "event"]
