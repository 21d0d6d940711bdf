"""The knowledge-base lookup with its "answer directly" fields, on the intake screen and
in a case's "answer directly" action (panels of ``cases.extensions``, registered in
``civicgrid/wiring/extensions.py``)."""

from .models import Entry
from .views import field_prefix, may_answer_directly


def intake_panel(request, form) -> dict:
    """``form`` is the intake form: its ``answer`` and ``knowledge_entry`` fields are
    rendered here, with the entry chosen before a failed submission shown again."""
    if "knowledge_entry" not in form.fields or "answer" not in form.fields:
        # A form without the answer fields: the lookup only.
        return {"may_answer": False}
    entry = None
    chosen = form["knowledge_entry"].value()
    if chosen not in (None, ""):
        entry = Entry.objects.filter(pk=str(chosen)).first() if str(chosen).isdigit() else None
    errors = [*form["knowledge_entry"].errors, *form["answer"].errors]
    return {
        "may_answer": may_answer_directly(request.user),
        "prefix": field_prefix(form.add_prefix("")),
        "answer": form["answer"].value() or "",
        "entry": entry,
        "chosen": chosen or "",
        "errors": errors,
    }


def answer_panel(request, form) -> dict | None:
    """The case page's "answer directly" form: the entry is chosen from the lookup."""
    context = intake_panel(request, form)
    return context if context["may_answer"] else None
