"""The assessment's forms: a month, a period and level, reverse ratings, a scheme."""

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .indicators import LEVELS
from .models import Scheme

LEVEL_LABELS = {
    "all": _("all"),
    "unit": _("unit"),
    "district": _("district"),
    "street": _("street"),
    "community": _("community"),
    "grid": _("grid"),
    "person": _("person"),
}
STARS = [(n, str(n)) for n in range(5, 0, -1)]
MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> date | None:
    found = MONTH.fullmatch((text or "").strip())
    if not found or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2100:
        return None
    return date(int(found[1]), int(found[2]), 1)


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def clean_month(self) -> date:
        text = self.cleaned_data["month"]
        if not text:
            return timezone.localdate().replace(day=1)
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return month


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    level = forms.ChoiceField(
        label=_("Level"), choices=[(level, LEVEL_LABELS[level]) for level in LEVELS]
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days > 366 * 3:
                raise forms.ValidationError(_("Choose a period of at most three years."))
        return data


class RatingForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Whom you rate"), coerce=int)
    stars = forms.TypedChoiceField(
        label=_("Rating (5 best)"), choices=STARS, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(targets)


class SchemeAdminForm(forms.ModelForm):
    """The weights as one number per indicator; they must add up to 100."""

    class Meta:
        model = Scheme
        fields = [
            "name",
            "valid_from",
            "grade_a",
            "grade_b",
            "grade_c",
            "red_size",
            "black_size",
        ]

    def __init__(self, *args, **kwargs):
        from .services import INDICATOR_CODES, indicator_label

        super().__init__(*args, **kwargs)
        weights = self.instance.weights or {}
        for code in INDICATOR_CODES:
            self.fields[f"weight_{code}"] = forms.IntegerField(
                label=indicator_label(code),
                min_value=0,
                max_value=100,
                initial=weights.get(code, 0),
            )

    def clean(self):
        from django.core.exceptions import ValidationError

        from .services import INDICATOR_CODES, check_scheme

        data = super().clean()
        self.instance.weights = {code: data.get(f"weight_{code}") or 0 for code in INDICATOR_CODES}
        original = None
        if self.instance.pk:
            original = Scheme.objects.get(pk=self.instance.pk).valid_from
        for name in ("name", "valid_from", "grade_a", "grade_b", "grade_c"):
            if name in data:
                setattr(self.instance, name, data[name])
        try:
            check_scheme(self.instance, original_valid_from=original)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    self.add_error(None if field == "weights" else field, messages)
            else:
                self.add_error(None, error)
        return data
