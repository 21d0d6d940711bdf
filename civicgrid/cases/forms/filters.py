"""Filters of the case list and the department inbox, submitted with GET."""

from datetime import date, datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Channel, Light, Status, StatusGroup
from .common import Options


class CaseFilterForm(forms.Form):
    """Filters of the case list; all optional, submitted with GET."""

    text = forms.CharField(
        label=_("Number or title"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    group = forms.ChoiceField(
        label=_("Open or closed"), required=False, choices=[("", _("all")), *StatusGroup.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *Status.choices]
    )
    light = forms.ChoiceField(
        label=_("Light"), required=False, choices=[("", _("all")), *Light.choices]
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("all")), *Channel.choices]
    )
    region = forms.CharField(label=_("Region code"), required=False, max_length=20)
    # Received from this day on, and before that day (the analytics figures link here
    # with a period: the first day and the day after the last).
    created_after = forms.DateField(label=_("Received from"), required=False)
    created_before = forms.DateField(label=_("Received before"), required=False)

    def __init__(self, *args, options: Options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("all")), *options.category_choices]
        self.fields["region"].widget = forms.HiddenInput()
        for name in ("created_after", "created_before"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})

    def clean_created_after(self):
        return _start_of(self.cleaned_data["created_after"])

    def clean_created_before(self):
        return _start_of(self.cleaned_data["created_before"])


def _start_of(day: date | None) -> datetime | None:
    """The first moment of ``day`` in the current time zone (the filter compares datetimes)."""
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class InboxFilterForm(forms.Form):
    light = forms.ChoiceField(
        label=_("Light"), required=False, choices=[("", _("all")), *Light.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("to do")),
            *[
                (s.value, s.label)
                for s in (
                    Status.DISPATCHED,
                    Status.HANDLING,
                    Status.EXTENSION_REQUESTED,
                    Status.RETURN_REQUESTED,
                    Status.REPLIED,
                    Status.VERIFIED,
                    Status.CLOSED,
                )
            ],
        ],
    )
