from django.contrib import admin

from civicgrid.core.admin import BoundedListAdmin, ReadOnlyAdmin

from .models import (
    Callback,
    Confirmation,
    Dispute,
    DisputeType,
    Mediator,
    Obligation,
    Organisation,
    Party,
    Publication,
    PublicationConsent,
    ResolutionMethod,
    Session,
)
from .records import FollowUp


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
class DisputeAdmin(BoundedListAdmin):
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


# --- after the agreement (mediation.records): read here, written through the pages ----


class _RecordAdmin(ReadOnlyAdmin):
    """Records of what happened after an agreement: each is also a case event, so the
    admin reads them; they are made on the dispute's page (``mediation.aftercare``)."""


@admin.register(Confirmation)
class ConfirmationAdmin(_RecordAdmin):
    list_display = ("dispute", "kind", "body", "applied_on", "ruling", "ruled_on", "reference")
    list_filter = ("kind", "ruling")
    search_fields = ("dispute__case__number", "reference", "body")


@admin.register(FollowUp)
class FollowUpAdmin(_RecordAdmin):
    list_display = ("obligation", "result", "on", "recorded_by")
    list_filter = ("result",)
    search_fields = ("obligation__dispute__case__number",)


@admin.register(Callback)
class CallbackAdmin(_RecordAdmin):
    list_display = ("dispute", "satisfaction", "on", "recorded_by")
    list_filter = ("satisfaction",)
    search_fields = ("dispute__case__number",)


@admin.register(PublicationConsent)
class PublicationConsentAdmin(_RecordAdmin):
    list_display = ("party", "consented", "recorded_at")


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    """A published dispute can be withdrawn (deleted) here; its copy holds no person."""

    deletable = True
    list_display = ("month", "type_name", "district", "street", "outcome", "satisfaction")
    list_filter = ("outcome", "satisfaction")
