from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civicgrid.core.admin import ReadOnlyAdmin
from civicgrid.core.paging import BoundedPaginator

from .models import Attachment, Case, CaseAccess, CaseEvent, CaseExport, ReplyTemplate
from .search import TEXT_COUNT_BOUND, text_query


class EventInline(admin.TabularInline):
    """Read-only: events are append-only and change only through the lifecycle."""

    model = CaseEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "actor", "action", "from_status", "to_status", "note")

    def has_add_permission(self, request, obj=None):
        return False


class AccessInline(admin.TabularInline):
    """Read-only: who else may see the case and why, as the app that brought them wrote it."""

    model = CaseAccess
    fk_name = "case"
    extra = 0
    can_delete = False
    fields = readonly_fields = ("department", "user", "reason", "created_at", "created_by")

    def has_add_permission(self, request, obj=None):
        return False


PERSONAL_FIELDS = ["reporter_phone", "reporter_name", "reporter_phone_hash"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Browse cases; status changes only happen in the workflow screens."""

    list_display = ["number", "title", "status", "channel", "category", "main_department", "due_at"]
    # A date filter, not ``date_hierarchy``: its year links scanned every case (1.2 s at
    # 100,000 cases); the filter's "past 7 days"… need no query.
    list_filter = ["status", "channel", "urgency", "needs_placement", "created_at"]
    search_fields = ["number", "title"]
    list_select_related = ["category", "main_department"]

    def get_search_results(self, request, queryset, search_term):
        """The case list's own text search (``search.text_query``): a number through
        the numbers' index, Chinese words through the title word index."""
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(text_query(term)), False

    def get_queryset(self, request):
        """On the list, the columns it shows: not the citizen's text, the reply or the
        words (a page of 100 cases read ~1 MB of them)."""
        cases = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and match.url_name == "cases_case_changelist":
            cases = cases.defer("content", "extra", "reply", "title_words", "address")
        return cases

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        """A search counts its hits to the case list's bound for a text (1,000): a common
        word's hits are many, and each is read to be counted."""
        bound = TEXT_COUNT_BOUND if request.GET.get("q", "").strip() else None
        return BoundedPaginator(queryset, per_page, orphans, allow_empty_first_page, bound=bound)

    # Contacts are read only through the audited reveal, never in the admin.
    exclude = PERSONAL_FIELDS
    readonly_fields = [f.name for f in Case._meta.fields if f.name not in PERSONAL_FIELDS]
    inlines = [EventInline, AccessInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Browse files; they come in only through the checks of ``cases.attachments``.

    The file field itself is never shown: Django would link it to its storage URL
    (``/media/…``), which is not served. The link goes through the scope-checked view.
    """

    list_display = ["name", "case", "content_type", "size", "uploaded_at"]
    fields = readonly_fields = (
        "case",
        "event",
        "name",
        "download",
        "content_type",
        "size",
        "uploaded_by",
    )
    deletable = True

    @admin.display(description=_("file"))
    def download(self, attachment: Attachment) -> str:
        url = reverse("cases:attachment", args=[attachment.case.number, attachment.pk])
        return format_html('<a href="{}">{}</a>', url, attachment.name)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """Standard phrases (常用语) offered on the reply and answer forms (``cases.phrases``).

    ``{case_number}``, ``{date}`` and ``{category}`` in the text are filled in.
    """

    list_display = ["title", "category", "department", "active", "position"]
    list_editable = ["active", "position"]
    list_filter = ["active", "department"]
    search_fields = ["title", "text", "category__name", "category__code"]
    autocomplete_fields = ["category", "department"]
    list_select_related = ["category", "department"]


@admin.register(CaseExport)
class CaseExportAdmin(ReadOnlyAdmin):
    """The audit of Excel exports: who exported which list and filters, how many rows."""

    list_display = ["created_at", "user", "source", "description", "written", "state"]
    list_filter = ["state", "source"]
    search_fields = ["user__username", "description"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    exclude = ["file_name"]
    readonly_fields = [f.name for f in CaseExport._meta.fields if f.name != "file_name"]
