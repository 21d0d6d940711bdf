"""The intake screen's knowledge-base lookup and its "answer directly" fields (a panel
of ``cases.extensions``, registered in ``civicgrid/wiring/extensions.py``)."""

from .models import Entry
from .views import may_answer_directly


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
        "answer": form["answer"].value() or "",
        "entry": entry,
        "chosen": chosen or "",
        "errors": errors,
    }
