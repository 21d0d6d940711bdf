"""The public forms: the photo report, the +1, and the rating."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.cases import phones
from civicgrid.cases.models import Rating
from civicgrid.cases.services import KEY_PATTERN
from civicgrid.regions import locator
from civicgrid.regions.datum import Datum, to_wgs84
from civicgrid.routing import catalogue
from civicgrid.routing.models import Category

from . import challenge
from .services import Report

PHONE = re.compile(r"\+?[\d\s\-]{7,24}")


def category_choices() -> list:
    """Second-level categories grouped under their first level (a native picker on phones)."""
    active = [c for c in catalogue.categories(active_only=True).values()]
    roots = sorted((c for c in active if c.parent_id is None), key=lambda c: c.code)
    children: dict[int, list[Category]] = {}
    for category in active:
        if category.parent_id is not None and category.parent.parent_id is None:
            children.setdefault(category.parent_id, []).append(category)
    choices: list = [("", _("Not sure — the command centre will choose"))]
    for root in roots:
        kids = sorted(children.get(root.pk, []), key=lambda c: c.code)
        if kids:
            choices.append((root.name, [(str(c.pk), c.name) for c in kids]))
        else:
            choices.append((str(root.pk), root.name))
    return choices


def category_by_pk(value) -> Category | None:
    if not str(value or "").isdigit():
        return None
    return next(
        (c for c in catalogue.categories(active_only=True).values() if c.pk == int(value)), None
    )


class HumanCheck(forms.Form):
    """The fields every public form that writes shares: key, human check, honeypot, phone."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    challenge = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    answer = forms.CharField(
        label=_("Check question"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    # Hidden from people by CSS; scripts that fill every field fill it.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=24,
        help_text=_("Only to call you back about this case; shown to staff masked (138****5678)."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    name = forms.CharField(
        label=_("How should we address you? (optional)"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label=_("I have read how my report is used and agree."),
        error_messages={"required": _("Please read and accept how your report is used.")},
    )

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if not KEY_PATTERN.fullmatch(key):
            raise forms.ValidationError(_("This form is out of date; please reload the page."))
        return key

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not PHONE.fullmatch(phone) or not phones.plausible(phone, min_digits=7, max_digits=15):
            raise forms.ValidationError(_("This does not look like a phone number."))
        return phones.normalised(phone)

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self):
        data = super().clean()
        if "key" in data:
            problem = challenge.problem(
                self.data.get("challenge", ""), data["key"], self.data.get("answer", "")
            )
            if problem:
                self.add_error("answer", problem)
        return data


class ReportForm(HumanCheck):
    """随手拍: what, where, who to call back. Photos come from ``request.FILES``."""

    category = forms.ChoiceField(label=_("What kind of problem?"), required=False)
    description = forms.CharField(
        label=_("What is wrong?"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("e.g. The street light at the north gate is out.")}
        ),
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 5 West 2nd Road, by the bus stop")}),
    )
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    datum = forms.ChoiceField(
        choices=Datum.choices,
        required=False,
        initial=Datum.WGS84,
        # A hidden select: the map picker (map.js) sets it to the datum of its tiles.
        widget=forms.Select(attrs={"hidden": True}),
    )

    field_order = ["category", "description", "address", "phone", "name", "answer", "consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()

    def clean_category(self) -> Category | None:
        value = self.cleaned_data.get("category")
        if not value:
            return None
        found = category_by_pk(value)
        if found is None:
            raise forms.ValidationError(_("Choose a kind of problem from the list."))
        return found

    def clean(self):
        data = super().clean()
        has_point = data.get("lng") is not None and data.get("lat") is not None
        if not has_point and not (data.get("address") or "").strip():
            self.add_error(
                "address",
                _("Share your position, pin it on the map, or type the address."),
            )
        elif has_point and (
            outside := outside_message(data["lng"], data["lat"], data.get("datum"))
        ):
            self.add_error("address", outside)
        return data

    def report(self) -> Report:
        data = self.cleaned_data
        has_point = data.get("lng") is not None and data.get("lat") is not None
        return Report(
            description=data["description"],
            phone=data["phone"],
            category=data.get("category"),
            name=data.get("name", ""),
            address=data.get("address", ""),
            lng=data["lng"] if has_point else None,
            lat=data["lat"] if has_point else None,
            datum=data.get("datum") or Datum.WGS84,
        )


def outside_message(lng: float, lat: float, datum: str | None) -> str:
    """What to tell a citizen whose place is outside the area served; "" when it is in."""
    try:
        wgs_lng, wgs_lat = to_wgs84(float(lng), float(lat), datum or Datum.WGS84)
    except ValueError:
        return ""
    if locator.serves(wgs_lng, wgs_lat):
        return ""
    what_to_do = _(
        "Check the pin on the map; if the place is right, call the 12345 hotline, or "
        "report it to the service of the city where it is."
    )
    area = locator.area_name()
    outside = (
        _("This place is outside the area we serve (%(area)s).") % {"area": area}
        if area
        else _("This place is outside the area we serve.")
    )
    return f"{outside} {what_to_do}"


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Are you satisfied with how it was handled?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose satisfied, basically satisfied or unsatisfied.")},
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GridRatingForm(HumanCheck):
    """逆向评价: a resident rates the grid (its grid worker's service) this month, 1–5."""

    name = None  # type: ignore[assignment]  # no name: a rating is not a report
    grid = forms.ChoiceField(label=_("Your grid"))
    stars = forms.TypedChoiceField(
        label=_("How well is your grid served? (5 best)"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label=_("I agree that my rating counts in the grid's monthly assessment."),
        error_messages={"required": _("Please agree to how your rating is used.")},
    )

    def __init__(self, *args, grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", "—"), *grids]
        self.fields["phone"].help_text = _(
            "Only to count one rating per person a month; kept as a keyed hash, never the number."
        )
