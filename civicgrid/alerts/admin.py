from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.admin import ReadOnlyAdmin

from . import services
from .adapters import AlertInvalid
from .models import PENDING, AlertDelivery, AlertRefusal, AlertSource

HOW_TO_SIGN = """# {shell}
BODY='{{"station_id":"SW-0012","station_name":"胜利河闸站","lng":118.58,"lat":37.45,"level_m":3.42,"threshold_m":2.8,"observed_at":"2026-11-22T14:03:00+08:00"}}'
TS=$(date +%s)
ID=$(uuidgen)
SIG=$(printf '%s.%s.%s' "$TS" "$ID" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')
curl -X POST "$CIVICGRID_URL/alerts/{slug}/" -H 'Content-Type: application/json' \\
  -H "X-Civicgrid-Delivery: $ID" -H "X-Civicgrid-Timestamp: $TS" \\
  -H "X-Civicgrid-Signature: sha256=$SIG" --data-binary "$BODY"

# {python}
from civicgrid.alerts.client import post_alert
status, answer = post_alert(CIVICGRID_URL, "{slug}", SECRET, payload)
"""


@admin.register(AlertSource)
class AlertSourceAdmin(admin.ModelAdmin):
    """Alert sources; their shared secret is shown to superusers only."""

    list_display = ["name", "slug", "kind", "region", "active", "secret_rotated_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["region"]
    readonly_fields = [
        "shared_secret",
        "secret_hidden",
        "how_to_sign",
        "created_at",
        "secret_rotated_at",
    ]
    actions = ["rotate_secret"]

    class Media:
        css = {"all": ["alerts/admin.css"]}

    def get_fields(self, request, obj=None):
        # Per request, never per admin instance: it serves every user at once.
        secret = "shared_secret" if request.user.is_superuser else "secret_hidden"
        return [
            "name",
            "slug",
            "kind",
            "active",
            "region",
            "options",
            "dedupe_window_minutes",
            "dedupe_distance_m",
            secret,
            "how_to_sign",
            "created_at",
            "secret_rotated_at",
        ]

    @admin.display(description=gettext_lazy("shared secret"))
    def shared_secret(self, obj):
        if obj is None or not obj.pk:
            return _("Generated when the source is saved.")
        return format_html("<code>{}</code>", obj.secret)

    @admin.display(description=gettext_lazy("shared secret"))
    def secret_hidden(self, obj):
        return _("Only superusers see the secret.")

    @admin.display(description=gettext_lazy("how to sign"))
    def how_to_sign(self, obj):
        slug = obj.slug if obj is not None and obj.slug else "<slug>"
        example = HOW_TO_SIGN.format(
            slug=slug, shell=_("with curl and openssl"), python=_("with Python")
        )
        return format_html(
            '<p>{}</p><pre class="signing-example">{}</pre>',
            _(
                "Headers: X-Civicgrid-Delivery (a unique id), X-Civicgrid-Timestamp (unix "
                "seconds), X-Civicgrid-Signature: sha256=HMAC-SHA256(secret, "
                "“timestamp.delivery id.body”). Payloads and answers: docs/alerts.md."
            ),
            example,
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("rotate_secret", None)
        return actions

    @admin.action(description=gettext_lazy("Rotate the secret (the old one stops working)"))
    def rotate_secret(self, request, queryset):
        for source in queryset:
            secret = services.rotate_secret(source)
            self.message_user(
                request,
                _("New secret of %(name)s; give it to the platform now: %(secret)s")
                % {"name": source.name, "secret": secret},
                messages.WARNING,
            )


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdmin):
    """What each source sent and what became of it; the raw body to superusers only."""

    list_display = [
        "received_at",
        "source",
        "delivery_id",
        "status",
        "case",
        "alert_type",
        "external_id",
        "attempts",
    ]
    list_filter = ["status", "source", "alert_type"]
    search_fields = ["delivery_id", "external_id", "case__number"]
    list_select_related = ["source", "case"]
    date_hierarchy = "received_at"
    actions = ["retry"]

    def get_fields(self, request, obj=None):
        fields = [
            "source",
            "delivery_id",
            "received_at",
            "status",
            "error",
            "attempts",
            "case",
            "external_id",
            "alert_type",
            "lng",
            "lat",
            "observed_at",
            "processed_at",
        ]
        # The body may hold personal data (a plate number): superusers only.
        return [*fields, "body"] if request.user.is_superuser else fields

    @admin.action(description=gettext_lazy("Process again (received or failed only)"))
    def retry(self, request, queryset):
        done = rejected = 0
        for pk in queryset.filter(status__in=PENDING).values_list("pk", flat=True):
            try:
                delivery = services.process(pk)
            except AlertInvalid:
                rejected += 1
                continue
            done += delivery.status not in PENDING
        self.message_user(
            request,
            _("Processed %(done)d, rejected %(rejected)d.") % {"done": done, "rejected": rejected},
        )


@admin.register(AlertRefusal)
class AlertRefusalAdmin(ReadOnlyAdmin):
    list_display = ["at", "slug", "reason", "status_code", "delivery_id", "remote_addr", "size"]
    list_filter = ["reason", "source"]
    search_fields = ["slug", "delivery_id", "remote_addr"]
    date_hierarchy = "at"
