"""The batch form of a hot issue's page."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.cases import limits
from civicgrid.routing.models import Department, DepartmentKind

from .batch import Request
from .models import HotIssueBatch


def grouped_departments() -> list:
    """Active departments grouped by kind (bureaus, streets, utilities …), by name."""
    groups: dict[str, list] = {}
    for pk, name, kind in Department.objects.filter(active=True).values_list("pk", "name", "kind"):
        groups.setdefault(kind, []).append((pk, name))
    labels = dict(DepartmentKind.choices)
    return [
        (labels.get(kind, kind), sorted(items, key=lambda item: item[1]))
        for kind, items in sorted(groups.items(), key=lambda g: str(labels.get(g[0], g[0])))
    ]


class BatchForm(forms.Form):
    """What to do with the chosen cases, and one reason for all of them."""

    action = forms.ChoiceField(label=_("Action"), choices=HotIssueBatch.Action.choices)
    cases = forms.MultipleChoiceField(
        label=_("Cases"), widget=forms.CheckboxSelectMultiple, required=False
    )
    # Offers the open cases; checked by ``batch.check`` (a form sent again after the main
    # case closed still finds the first result).
    into = forms.CharField(
        label=_("Main case (merge into)"), required=False, max_length=20, widget=forms.Select
    )
    lead = forms.TypedChoiceField(
        label=_("Lead unit"), required=False, coerce=int, empty_value=None
    )
    co = forms.TypedMultipleChoiceField(label=_("Co-handling units"), required=False, coerce=int)
    reason = forms.CharField(
        label=_("Reason (one for all the cases)"),
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give one reason for the whole batch.")},
    )
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, cases, actions, **kwargs):
        super().__init__(*args, **kwargs)
        numbers = [(c.number, f"{c.number} {c.title}") for c in cases]
        self.fields["cases"].choices = numbers
        self.fields["into"].widget.choices = [("", "—")] + [
            (c.number, f"{c.number} {c.title}") for c in cases if c.is_open
        ]
        self.fields["action"].choices = [
            (value, label) for value, label in HotIssueBatch.Action.choices if value in actions
        ]
        departments = grouped_departments()
        self.fields["lead"].choices = [("", "—"), *departments]
        self.fields["co"].choices = departments
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4().hex)
            self.initial.setdefault("cases", [c.number for c in cases if c.is_open])

    def request(self) -> Request:
        data = self.cleaned_data
        by_pk = Department.objects.in_bulk([d for d in [data.get("lead"), *data["co"]] if d])
        lead = by_pk.get(data["lead"]) if data.get("lead") else None
        return Request(
            action=data["action"],
            numbers=list(data["cases"]),
            reason=data["reason"],
            key=data["client_key"],
            into=data.get("into") or "",
            lead=lead,
            co=tuple(by_pk[pk] for pk in data["co"] if pk in by_pk and pk != data.get("lead")),
        )
