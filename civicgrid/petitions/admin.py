from django.contrib import admin

from .models import LeaderContact, Petition


class ContactInline(admin.TabularInline):
    model = LeaderContact
    extra = 0
    raw_id_fields = ("leader",)


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = (
        "case",
        "form",
        "state",
        "received_on",
        "higher_level",
        "repeat_count",
        "leader",
    )
    list_filter = ("state", "form", "higher_level", "addressed_to")
    search_fields = ("case__number", "receiving_office")
    raw_id_fields = (
        "case",
        "repeat_of",
        "registered_by",
        "decided_by",
        "extended_by",
        "mediation_consent_by",
        "leader",
    )
    readonly_fields = ("identity_hash", "version")
    inlines = [ContactInline]
