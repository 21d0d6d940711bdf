from django.contrib import admin

from civicgrid.core.admin import ReadOnlyAdmin

from . import services
from .models import Entry, EntryChange, Proposal


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Editors may edit entries here directly; every save goes through the services, so
    it is logged as a knowledge-base update and the search index notices it."""

    list_display = ["question", "category", "department", "valid_from", "valid_to", "is_active"]
    list_filter = ["is_active", "category__parent", "department"]
    search_fields = ["question", "keywords", "answer"]
    raw_id_fields = ["category", "department"]
    readonly_fields = ["created_at", "updated_at", "created_by"]
    fields = [
        "question",
        "answer",
        "keywords",
        "category",
        "department",
        ("valid_from", "valid_to"),
        "source",
        "is_active",
        ("created_at", "updated_at", "created_by"),
    ]

    def save_model(self, request, obj, form, change):
        # The admin form has checked the fields (required ones, the validity period).
        fields = {name: form.cleaned_data.get(name) for name in services.ENTRY_FIELDS}
        active = form.cleaned_data["is_active"]
        if change:
            saved = Entry.objects.get(pk=obj.pk)
            services.update_entry(saved, actor=request.user, is_active=active, **fields)
        else:
            saved = services.create_entry(actor=request.user, **fields)
            if not active:
                services.update_entry(saved, actor=request.user, is_active=False)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        # Entries are withdrawn ("in use" off), not deleted: cases that used them name them.
        return False


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    """Proposals are reviewed on the knowledge pages (approve applies them); here they
    can only be read."""

    list_display = ["question", "entry", "proposer", "proposer_department", "status", "created_at"]
    list_filter = ["status", "proposer_department"]
    search_fields = ["question", "answer", "note"]


@admin.register(EntryChange)
class EntryChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "entry", "kind", "via", "actor"]
    list_filter = ["kind", "via"]
