"""The intake form: what an operator types while the caller is on the line."""

import uuid

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civicgrid.routing.models import RequestType, Urgency

from .. import limits, services
from ..models import Channel
from .common import COUNTED, CategorySelect, MultipleFileField, Options, position_fields


class IntakeForm(forms.Form):
    """What an operator types while the caller is on the line."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.HOTLINE
    )
    request_type = forms.ChoiceField(
        label=_("Request type"), choices=RequestType.choices, initial=RequestType.HELP
    )
    category = forms.TypedChoiceField(
        label=_("Category"), coerce=int, required=False, empty_value=None
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("the category's default")), *Urgency.choices],
    )
    title = forms.CharField(
        label=_("Title"), max_length=limits.TITLE, widget=forms.TextInput(COUNTED)
    )
    content = forms.CharField(
        label=_("Content"), max_length=limits.CONTENT, widget=forms.Textarea({"rows": 5})
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=limits.ADDRESS,
        required=False,
        widget=forms.TextInput(COUNTED),
    )
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("Reporter's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    attachments = MultipleFileField(label=_("Photos and documents"))
    # "Register and answer directly": the answer given, and the knowledge-base entry used.
    answer = forms.CharField(
        label=_("Answer given directly"), max_length=limits.REPLY, required=False
    )
    knowledge_entry = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A key made when the form is shown: the same form sent twice (a double click, a
    # resend) gives the case the first one made (``services.register_case_once``).
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, options: Options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(position_fields(required=False))
        self.order_fields(
            [
                "channel",
                "request_type",
                "category",
                "urgency",
                "title",
                "content",
                "address",
                "lng",
                "lat",
                "datum",
                "reporter_name",
                "reporter_phone",
                "attachments",
            ]
        )
        self.options = options
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4().hex)
        # As the phone is typed, htmx shows the caller's earlier cases beside it.
        self.fields["reporter_phone"].widget.attrs.update(
            {
                "hx-get": reverse("cases:earlier_cases"),
                "hx-trigger": "keyup changed delay:500ms, blur",
                "hx-target": "#earlier-cases",
            }
        )
        category = self.fields["category"]
        category.choices = [("", _("— choose a category —")), *options.category_choices]
        category.widget = CategorySelect(
            choices=category.choices,
            urgencies={c.pk: c.default_urgency for c in options.categories},
        )
        self.extra_groups = self._extra_groups()

    def _extra_groups(self) -> list[dict]:
        """Per category, the extra fields it asks for (``Category.extra_fields``)."""
        groups = []
        for category in self.options.categories:
            specs = [s for s in category.extra_fields or [] if s.get("name")]
            if not specs:
                continue
            fields = [
                {
                    "name": spec["name"],
                    "label": spec.get("label") or spec["name"],
                    "required": bool(spec.get("required")),
                    "input": f"extra-{category.pk}-{spec['name']}",
                    "value": self.data.get(f"extra-{category.pk}-{spec['name']}", ""),
                }
                for spec in specs
            ]
            groups.append({"category": category, "fields": fields})
        return groups

    def clean(self):
        data = super().clean()
        if (data.get("lng") is None) != (data.get("lat") is None):
            self.add_error("lng", _("Give both longitude and latitude, or neither."))
        if self.answers_directly and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Write the answer given to the caller."))
        return data

    @property
    def answers_directly(self) -> bool:
        """The operator pressed "Register and answer directly"."""
        return bool(self.data.get("answer_directly"))

    def intake(self) -> services.Intake:
        data = self.cleaned_data
        category = next((c for c in self.options.categories if c.pk == data["category"]), None)
        extra = {}
        for group in self.extra_groups:
            if category is not None and group["category"].pk == category.pk:
                extra = {
                    f["name"]: f["value"].strip() for f in group["fields"] if f["value"].strip()
                }
        return services.Intake(
            channel=data["channel"],
            title=data["title"],
            content=data["content"],
            category=category,
            request_type=data["request_type"],
            urgency=data["urgency"],
            lng=data.get("lng"),
            lat=data.get("lat"),
            datum=data.get("datum") or "wgs84",
            address=data["address"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            extra=extra,
        )
