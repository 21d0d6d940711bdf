"""The forms of supervision: parse only; the rules are in ``services`` and
``accountability``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Level, Measure, OrderStatus, ReviewKind

MOMENT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def _moment(label, required=True):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=MOMENT,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class IssueForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    reason = forms.CharField(
        label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    public = forms.BooleanField(
        label=_("Show on the public results page (listed supervision only)"), required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(u.pk, u.name) for u in units]


class RespondForm(forms.Form):
    response = forms.CharField(
        label=_("What your unit has done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    done_by = forms.DateField(
        label=_("Done by"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )


class VisitForm(forms.Form):
    visitors = forms.CharField(label=_("Who went"), max_length=200)
    visited_at = _moment(_("When"), required=False)
    findings = forms.CharField(
        label=_("What was found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewKind.choices)
    held_at = _moment(_("Held at"), required=False)
    leaders = forms.CharField(label=_("Leaders present (1+N)"), max_length=300, required=False)
    minutes = forms.CharField(
        label=_("Meeting record"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.CharField(
        label=_("Decision"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskForm(forms.Form):
    """One row of a review's tasks (prefix ``task-N``)."""

    department = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False)
    task = forms.CharField(label=_("Task"), max_length=2000, required=False)
    due_at = _moment(_("Due"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—"), *[(u.pk, u.name) for u in units]]


class MeasureForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    text = forms.CharField(
        label=_("What"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_at = _moment(_("Rectify by (rectification orders)"), required=False)


class SignOffForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class OrderFilter(forms.Form):
    """The leaders' list: level, unit, status and lateness."""

    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("all")), *Level.choices]
    )
    department = forms.TypedChoiceField(
        label=_("Unit"), coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all open")), *[c for c in OrderStatus.choices if c[0] != "closed"]],
    )
    late = forms.BooleanField(label=_("Response overdue only"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("all")), *units]
