"""Field work forms: a visit on the phone, households, tasks, councils, points."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import HouseholdCategory, RecordKind, TeamRole


class VisitForm(forms.Form):
    """A visit record; its ``client_key`` makes a resend after a lost connection return
    the first record instead of a refusal."""

    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    visited_on = forms.DateField(
        label=_("Visited on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    found = forms.CharField(
        label=_("What was found"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(
        label=_("Follow-up"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    problem_title = forms.CharField(
        label=_("Report a problem as a case"),
        max_length=200,
        required=False,
        help_text=_("Give it a title to file what you found as a case; leave empty otherwise."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("client_key", uuid.uuid4().hex)
        self.initial.setdefault("visited_on", timezone.localdate())


class HouseholdForm(forms.Form):
    grid = forms.TypedChoiceField(label=_("Grid"), coerce=int)
    label = forms.CharField(label=_("Door"), max_length=60)
    category = forms.ChoiceField(label=_("Category"), choices=HouseholdCategory.choices)
    contact_name = forms.CharField(label=_("Contact name"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    consent_on = forms.DateField(
        label=_("Consent given on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Nothing is kept about a household that has not agreed."),
    )

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = grids


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_at = forms.DateTimeField(
        label=_("Due by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    grids = forms.TypedMultipleChoiceField(label=_("Grids"), coerce=int)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grids"].choices = grids
        self.fields["grids"].widget.attrs["size"] = min(10, max(4, len(grids)))


class ReplyForm(forms.Form):
    result = forms.CharField(
        label=_("Result"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CouncilForm(forms.Form):
    grid = forms.TypedChoiceField(label=_("Grid"), coerce=int)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    meeting_on = forms.DateField(
        label=_("Meeting on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    attendance = forms.IntegerField(label=_("Residents present"), min_value=0, max_value=10000)
    decision = forms.CharField(
        label=_("Residents' decision"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    tasks = forms.CharField(
        label=_("Follow-up tasks (one a line)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = grids


class PointsForm(forms.Form):
    """Award points (``points`` and ``reason``) or redeem a reward (``reward``)."""

    points = forms.IntegerField(label=_("Points"), required=False, min_value=1, max_value=1000)
    reason = forms.CharField(label=_("Civic act"), required=False, max_length=200)
    reward = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MemberForm(forms.Form):
    grid = forms.TypedChoiceField(label=_("Grid"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=50)
    role = forms.ChoiceField(label=_("Team role"), choices=TeamRole.choices)
    speciality = forms.CharField(
        label=_("Speciality"),
        max_length=50,
        required=False,
        help_text=_("e.g. community police, lawyer"),
    )

    def __init__(self, *args, grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = grids


class RecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RecordKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    score = forms.DecimalField(
        label=_("Score"), required=False, min_value=0, max_value=100, decimal_places=1
    )
