from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from civicgrid.cases import events
from civicgrid.core.admin import BoundedListAdmin, ReadOnlyAdmin

from . import sender
from .models import (
    Delivery,
    DepartmentWebhook,
    Notification,
    NotificationPreference,
    SmsMessage,
)


@admin.register(Notification)
class NotificationAdmin(BoundedListAdmin):
    list_display = ["created_at", "recipient", "message", "read_at"]
    list_filter = ["read_at"]
    raw_id_fields = ["recipient", "case", "event"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "by_email", "by_sms", "updated_at"]
    list_filter = ["by_email", "by_sms"]
    raw_id_fields = ["user"]


def _kinds() -> list[tuple[str, str]]:
    """Every declared kind of case event, the lifecycle's moves first."""
    kinds = sorted(events.KINDS.values(), key=lambda kind: not kind.move)
    return [(kind.code, kind.label) for kind in kinds]


class DepartmentWebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    actions = forms.MultipleChoiceField(
        label=_("actions"),
        choices=_kinds,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every action that concerns the department."),
    )

    class Meta:
        model = DepartmentWebhook
        fields = ["department", "url", "secret", "actions", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("Give an http:// or https:// address."))
        return url


@admin.register(DepartmentWebhook)
class DepartmentWebhookAdmin(admin.ModelAdmin):
    """Department systems told by signed POSTs; the secret is shared with them."""

    form = DepartmentWebhookForm
    list_display = ["department", "url", "active", "created_at"]
    list_filter = ["active"]
    list_select_related = ["department"]


@admin.action(description=_("Retry now"))
def retry_now(modeladmin, request, queryset):
    count = sender.retry_now(queryset)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d delivery will be sent at the next pass.",
            "%(count)d deliveries will be sent at the next pass.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """What went out on which channel; failed and given-up rows can be retried."""

    list_display = [
        "created_at",
        "event",
        "channel",
        "target",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["target", "event__case__number", "last_error"]
    list_select_related = ["event"]
    actions = [retry_now]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    deletable = True


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    """Texts the logging gateway would have sent (phones masked)."""

    list_display = ["created_at", "phone", "text"]
    search_fields = ["text"]
    deletable = True
