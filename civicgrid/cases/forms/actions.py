"""One form per lifecycle action; each knows what keyword data its action takes.

Forms only parse and check input; the rules (who may do what, what an action needs)
live in ``lifecycle`` and ``services``, whose refusals the views show as form errors.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.routing.models import Department, DepartmentKind

from .. import lifecycle, limits
from ..callbacks import CALL_RESULTS
from ..lifecycle import Action
from ..models import Rating
from .common import MultipleFileField, Options, position_fields


class ActionForm(forms.Form):
    """Base of the action forms: an optional note, and the keyword data the action takes.

    ``note_label`` None drops the note (the action has its own text field);
    ``note_required`` mirrors what ``lifecycle`` will insist on.
    """

    note_label = _("Note")
    note_required = False
    danger = False

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case, options: Options, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.options = options
        if self.note_label is None:
            del self.fields["note"]
        else:
            self.fields["note"].label = self.note_label
            self.fields["note"].required = self.note_required
        self.setup()

    def setup(self) -> None:
        """Per-case choices and initial values."""

    def action_data(self) -> dict:
        return {}

    def note_text(self) -> str:
        return self.cleaned_data.get("note", "")

    def uploaded_files(self) -> list:
        return self.cleaned_data.get("files") or []


class AnswerDirectlyForm(ActionForm):
    note_label = None
    answer = forms.CharField(
        label=_("Answer given to the citizen"),
        max_length=limits.REPLY,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Chosen from the knowledge lookup shown with the form, not typed.
    knowledge_entry = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def action_data(self):
        return {
            "answer": self.cleaned_data["answer"],
            "knowledge_entry": self.cleaned_data.get("knowledge_entry"),
        }


class ReferForm(ActionForm):
    note_label = _("Explanation to the citizen")
    note_required = True
    kind = forms.ChoiceField(label=_("Why elsewhere"))

    def setup(self):
        self.fields["kind"].choices = [("", "—"), *lifecycle.REFERRAL_KINDS.items()]
        self.order_fields(["kind", "note"])

    def action_data(self):
        return {"kind": self.cleaned_data["kind"]}


class MergeForm(ActionForm):
    into = forms.CharField(
        label=_("Merge into case number"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "20260101-00001"}),
    )

    def setup(self):
        self.order_fields(["into", "note"])

    def action_data(self):
        return {"into": self.cleaned_data["into"].strip()}


class PlaceForm(ActionForm):
    def setup(self):
        self.fields.update(position_fields(required=True))
        self.order_fields(["lng", "lat", "datum", "note"])

    def action_data(self):
        data = self.cleaned_data
        return {"lng": data["lng"], "lat": data["lat"], "datum": data["datum"]}


class ReturnForm(ActionForm):
    note_label = _("Why this case is not ours")
    note_required = True
    danger = True


class AcceptReturnForm(ActionForm):
    note_label = _("Note for the record")


class OverruleReturnForm(ActionForm):
    note_label = _("Why the case stays with the department")
    note_required = True


class WithdrawForm(ActionForm):
    note_label = _("Why the case is withdrawn")
    note_required = True
    danger = True


class ReassignForm(ActionForm):
    """Another handling department than the one that has the case; a reason. The units
    are grouped by kind and sorted as on the dispatch form, without the current one and
    the centres (which dispatch, not handle)."""

    note_label = _("Why another department")
    note_required = True
    main_department = forms.TypedChoiceField(label=_("New main department"), coerce=int)

    def setup(self):
        centres = set(
            Department.objects.filter(kind=DepartmentKind.CENTRE).values_list("pk", flat=True)
        )
        left_out = centres | {self.case.main_department_id}
        groups = []
        for label, units in self.options.department_groups:
            kept = [(pk, name) for pk, name in units if pk not in left_out]
            if kept:
                groups.append((label, kept))
        self.fields["main_department"].choices = [("", "—"), *groups]
        self.order_fields(["main_department", "note"])

    def action_data(self):
        return {"main_department": self.cleaned_data["main_department"]}


class RequestExtensionForm(ActionForm):
    note_label = _("Why more time is needed")
    note_required = True
    days = forms.IntegerField(
        label=_("Extra working days"), min_value=1, max_value=lifecycle.MAX_EXTENSION_DAYS
    )

    def setup(self):
        # The precise limit (what is left of the 10 days) is checked by the lifecycle.
        left = lifecycle.MAX_EXTENSION_DAYS - self.case.extension_days
        self.fields["days"].widget.attrs["max"] = max(1, left)
        self.fields["days"].help_text = _("At most %(max)d working days in all.") % {
            "max": lifecycle.MAX_EXTENSION_DAYS
        }
        self.order_fields(["days", "note"])

    def action_data(self):
        return {"days": self.cleaned_data["days"]}


class RefuseExtensionForm(ActionForm):
    note_label = _("Why the extension is refused")
    note_required = True
    danger = True


class ReplyForm(ActionForm):
    note_label = None
    reply = forms.CharField(
        label=_("Reply to the citizen"),
        max_length=limits.REPLY,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = MultipleFileField(label=_("Attachments"))

    def action_data(self):
        return {"reply": self.cleaned_data["reply"]}


class VerifyPassForm(ActionForm):
    note_label = _("What you saw on site")
    files = MultipleFileField(label=_("Photos on site"))


class VerifyFailForm(ActionForm):
    note_label = _("What is still wrong on site")
    note_required = True
    danger = True
    files = MultipleFileField(label=_("Photos on site"))


class CallbackForm(ActionForm):
    """One call: a rating when the citizen was reached, else what happened (``callbacks``)."""

    note_label = _("What the citizen said")
    rating = forms.ChoiceField(
        label=_("Result of the call"), choices=CALL_RESULTS, widget=forms.RadioSelect
    )
    # The try shown on the screen: someone else recording it first is a conflict.
    attempt = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def setup(self):
        self.fields["attempt"].initial = self.case.callback_tries + 1
        self.order_fields(["rating", "note", "attempt"])

    def action_data(self):
        result, attempt = self.cleaned_data["rating"], self.cleaned_data.get("attempt")
        if result in Rating.values:
            return {"rating": result, "attempt": attempt}
        return {"outcome": result, "attempt": attempt}


class ReopenForm(ActionForm):
    note_label = _("Why the case is reopened")
    note_required = True
    danger = True


class EscalateForm(ActionForm):
    note_label = _("Why a higher level is needed")
    note_required = True
    to = forms.ChoiceField(
        label=_("Escalate to"),
        choices=[
            ("parent", _("the next higher centre")),
            ("joint", _("a joint consultation (1+N)")),
        ],
        initial="parent",
    )

    def setup(self):
        self.order_fields(["to", "note"])

    def action_data(self):
        return {"to": self.cleaned_data["to"]}


class SendBackForm(ActionForm):
    note_label = _("Why the lower centre handles it")
    note_required = True


class PassDownForm(ActionForm):
    note_label = _("What the lower level should do")
    note_required = True


class SolveInGridForm(ReplyForm):
    """The grid worker's reply: what was done on site, with its photos."""

    def setup(self):
        self.fields["reply"].label = _("What was done, for the citizen")
        self.fields["files"].label = _("Photos on site")


class EscalateFromGridForm(ActionForm):
    note_label = _("Why a higher level is needed")
    note_required = True


class UrgeForm(ActionForm):
    note_label = _("What the urging notice says")
    note_required = True


from .dispatch import DispatchForm  # noqa: E402  (it builds on ActionForm above)

ACTION_FORMS: dict[str, type[ActionForm]] = {
    Action.ANSWER_DIRECTLY: AnswerDirectlyForm,
    Action.REFER: ReferForm,
    Action.MERGE: MergeForm,
    Action.PLACE: PlaceForm,
    Action.DISPATCH: DispatchForm,
    Action.ACKNOWLEDGE: ActionForm,
    Action.RETURN: ReturnForm,
    Action.ACCEPT_RETURN: AcceptReturnForm,
    Action.OVERRULE_RETURN: OverruleReturnForm,
    Action.WITHDRAW: WithdrawForm,
    Action.REASSIGN: ReassignForm,
    Action.REQUEST_EXTENSION: RequestExtensionForm,
    Action.APPROVE_EXTENSION: ActionForm,
    Action.REFUSE_EXTENSION: RefuseExtensionForm,
    Action.REPLY: ReplyForm,
    Action.VERIFY_PASS: VerifyPassForm,
    Action.VERIFY_FAIL: VerifyFailForm,
    Action.CALLBACK: CallbackForm,
    Action.CLOSE: ActionForm,
    Action.REOPEN: ReopenForm,
    Action.ESCALATE: EscalateForm,
    Action.SEND_BACK: SendBackForm,
    Action.PASS_DOWN: PassDownForm,
    Action.SOLVE_IN_GRID: SolveInGridForm,
    Action.RAISE_FROM_GRID: EscalateFromGridForm,
    Action.URGE: UrgeForm,
}


def action_form(action: str, case, options: Options, data=None, files=None, initial=None):
    """The form of ``action`` for ``case``; field ids are unique per case on a queue page."""
    form_class = ACTION_FORMS[action]
    return form_class(
        data,
        files,
        case=case,
        options=options,
        prefix=action,
        initial=initial,
        auto_id=f"id_{case.pk}_%s",
    )
