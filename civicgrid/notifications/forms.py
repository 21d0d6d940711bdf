from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    """Which outside channels a user wants; the in-app list is always on."""

    by_email = forms.BooleanField(label=_("Also by e-mail"), required=False)
    by_sms = forms.BooleanField(label=_("Also by SMS"), required=False)
