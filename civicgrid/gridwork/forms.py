"""The grid worker's field report, the whistle and the patrol notes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.forms import IntakeForm
from civicgrid.cases.models import Channel
from civicgrid.routing.models import RequestType


class FieldReportForm(IntakeForm):
    """What a grid worker found on patrol: the intake form without the caller; its key
    (``client_key``) makes a resend (after a lost connection) return the same case."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("channel", "request_type", "reporter_name", "reporter_phone"):
            del self.fields[name]
        self.fields["title"].widget.attrs["placeholder"] = _("e.g. manhole cover missing")
        self.fields["attachments"].label = _("Photos")
        self.fields["attachments"].widget.attrs.update({"accept": "image/*"})

    def intake(self):
        self.cleaned_data.update(
            channel=Channel.GRID_PATROL,
            request_type=RequestType.HELP,
            reporter_name="",
            reporter_phone="",
        )
        return super().intake()


class WhistleForm(forms.Form):
    departments = forms.TypedMultipleChoiceField(label=_("Departments to summon"), coerce=int)
    reason = forms.CharField(
        label=_("What they are needed for"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["departments"]
        field.choices = departments
        field.widget.attrs["size"] = min(8, max(4, len(departments)))


class PatrolNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("What you saw"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportInForm(forms.Form):
    response = forms.CharField(
        label=_("Note (who is coming, when)"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(),
    )
