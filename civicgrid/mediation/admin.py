from django.contrib import admin

from .models import (
    Dispute,
    DisputeType,
    Mediator,
    Obligation,
    Organisation,
    Party,
    ResolutionMethod,
    Session,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "speciality", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "speciality", "address")


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "region", "speciality", "languages", "available")
    list_filter = ("available", "organisation__kind")
    search_fields = ("name", "speciality", "languages", "organisation__name")
    raw_id_fields = ("user",)


@admin.register(DisputeType)
class DisputeTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent")
    search_fields = ("code", "name")


@admin.register(ResolutionMethod)
class ResolutionMethodAdmin(admin.ModelAdmin):
    list_display = ("name", "position")


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    # Contacts are read through the audited reveal, not here.
    exclude = ("phone",)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class ObligationInline(admin.TabularInline):
    model = Obligation
    extra = 0


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    """Read the disputes; states move only through the mediation pages (the table)."""

    list_display = ("case", "type", "state", "colour", "organisation", "due_at")
    list_filter = ("state", "colour", "source")
    search_fields = ("case__number",)
    raw_id_fields = ("case",)
    readonly_fields = ("state", "version", "accepted_at", "due_at", "warn_at", "confirm_by")
    inlines = (PartyInline, SessionInline, ObligationInline)

    def has_add_permission(self, request) -> bool:
        # A dispute is born from a case's hand-over, which records it on the case.
        return False
