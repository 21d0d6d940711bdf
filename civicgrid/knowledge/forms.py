"""Forms of the knowledge pages: the search box, a proposal, a review."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.routing.models import Category, Department

from .models import Entry
from .services import proposing_department


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=500,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": _("e.g. 公积金贷款")}
        ),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.filter(parent__isnull=True, active=True).order_by("code"),
        empty_label=_("all categories"),
    )


class ProposalForm(forms.Form):
    """The whole entry as the department wants it, and why."""

    question = forms.CharField(label=_("Question"), max_length=300)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 8}))
    keywords = forms.CharField(
        label=_("Other phrasings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Other ways callers ask, one per line."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.filter(active=True).order_by("code"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.filter(active=True).order_by("code"),
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: valid until withdrawn."),
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=300,
        help_text=_("The policy document, regulation or reply the answer rests on."),
    )
    note = forms.CharField(
        label=_("Why this change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the editor who reviews the proposal."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The entry cannot end before it starts."))
        return data

    def entry_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "note"}

    @classmethod
    def initial_for(cls, entry: Entry | None, user) -> dict:
        if entry is None:
            return {"department": proposing_department(user), "valid_from": timezone.localdate()}
        return {
            "question": entry.question,
            "answer": entry.answer,
            "keywords": entry.keywords,
            "category": entry.category_id,
            "department": entry.department_id,
            "valid_from": entry.valid_from,
            "valid_to": entry.valid_to,
            "source": entry.source,
        }


class ReviewForm(forms.Form):
    # Sent by the button pressed: "approve" or "reject".
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    review_note = forms.CharField(
        label=_("Note to the department"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting."),
    )
