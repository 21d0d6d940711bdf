"""Forms of the case pages: intake, one form per lifecycle action, and the list filters."""

from .actions import ACTION_FORMS, ActionForm, action_form
from .common import DATUM_CHOICES, MultipleFileField, Options
from .filters import CaseFilterForm, InboxFilterForm
from .intake import IntakeForm

__all__ = [
    "ACTION_FORMS",
    "DATUM_CHOICES",
    "ActionForm",
    "CaseFilterForm",
    "InboxFilterForm",
    "IntakeForm",
    "MultipleFileField",
    "Options",
    "action_form",
]
