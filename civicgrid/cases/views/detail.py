"""One case: its page, the generic action endpoint, the audited contact reveal, its files."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import attachments, centres, lifecycle, queries, services
from ..events import Note
from ..forms import ACTION_FORMS, ActionForm, Options, action_form
from ..lifecycle import Action
from ..models import Attachment, Case
from ..refusals import status_for
from ..templatetags.case_tags import call_outcome
from .common import (
    action_slots,
    is_htmx,
    is_visible,
    map_data,
    safe_next,
    visible_case_or_404,
)


@login_required
@require_GET
def detail(request, number: str):
    case = visible_case_or_404(request.user, number)
    return render_detail(request, case)


# A long timeline (a case of 300 events is 150 kB of page) shows its latest events and a
# link to the rest; ``?timeline=all`` shows every one.
TIMELINE_LATEST = 30


def timeline_context(request, case: Case) -> dict:
    """The latest events, and how many earlier ones are left out: one query for a case
    of up to ``TIMELINE_LATEST`` events (the newest one more says whether to count)."""
    if request.GET.get("timeline") == "all":
        return {"events": queries.timeline(case), "hidden_events": 0}
    events = queries.timeline(case, latest=TIMELINE_LATEST + 1)
    if len(events) <= TIMELINE_LATEST:
        return {"events": events, "hidden_events": 0}
    events = events[1:]
    return {"events": events, "hidden_events": case.events.count() - len(events)}


def render_detail(
    request, case: Case, *, bound: ActionForm | None = None, alert: str = "", status: int = 200
):
    options = Options()
    slots = action_slots(case, request.user, options, bound=bound)
    # What the dispatch form preselects: the rules for its preselected leaf category.
    suggestion = next(
        (getattr(s.form, "suggestion", None) for s in slots if s.action == Action.DISPATCH), None
    )
    earlier = queries.earlier_cases(request.user, case.reporter_phone, exclude=case)
    timeline = timeline_context(request, case)
    hidden = timeline["hidden_events"]
    context = {
        "case": case,
        "light": case.light(),
        "actions": slots,
        "suggestion": suggestion,
        "alert": alert,
        **timeline,
        "levels": centres.levels_passed(case, events=None if hidden else timeline["events"]),
        "centre_label": centres.centre_name(case.owner_region if case.owner_region_id else None),
        "attachments": list(case.attachments.all()),
        "co_departments": list(case.co_departments.all()),
        "merged_cases": list(case.merged_cases.only("number", "reporter_name", "reporter_phone")),
        "earlier": list(earlier),
        "map_data": map_data(case),
        "next": safe_next(request),
    }
    return render(request, "cases/detail.html", context, status=status)


@login_required
@require_POST
def act(request, number: str, action: str):
    """Take one lifecycle action; every action posts here with its own form."""
    case = visible_case_or_404(request.user, number)
    if action not in ACTION_FORMS:
        raise Http404("no such action")
    try:
        lifecycle.check(case, action, request.user)
    except lifecycle.LifecycleError as error:
        return render_detail(request, case, alert=error.message, status=status_for(error))
    form = action_form(action, case, Options(), data=request.POST, files=request.FILES)
    if not form.is_valid():
        return render_detail(request, case, bound=form, status=400)
    try:
        event = services.act(
            case,
            action,
            actor=request.user,
            note=form.note_text(),
            files=form.uploaded_files(),
            **form.action_data(),
        )
    except lifecycle.LifecycleError as error:
        return _refused(request, case, form, error)
    messages.success(request, _done(case, action, event))
    target = safe_next(request)
    if target:
        return redirect(target)
    if not is_visible(request.user, case):
        # e.g. a department that returned the case no longer sees it.
        return redirect("home")
    return redirect("cases:detail", number=case.number)


def _done(case: Case, action: str, event) -> str:
    if event.action == Note.CALLBACK_MISSED:
        next_at = timezone.localtime(datetime.fromisoformat(event.data["next_try_at"]))
        return _("Case %(number)s: %(outcome)s; try %(n)d from %(at)s.") % {
            "number": case.number,
            "outcome": call_outcome(event.data["outcome"]),
            "n": event.data["attempt"] + 1,
            "at": formats.date_format(next_at, "m-d H:i"),
        }
    return _("Case %(number)s: %(action)s — done.") % {
        "number": case.number,
        "action": queries.action_label(action),
    }


def _refused(request, case: Case, form: ActionForm, error: lifecycle.LifecycleError):
    if isinstance(error, lifecycle.InvalidAction):
        field = next(iter(error.errors), None)  # show it beside the input it is about
        form.add_error(field if field in form.fields else None, error.message)
        # and on top, where the eye is after the page reloads (the form may be far below).
        return render_detail(request, case, bound=form, alert=error.message, status=400)
    # Refused or overtaken: show the case as it is now, with the reason on top.
    case = visible_case_or_404(request.user, case.number)
    return render_detail(request, case, alert=error.message, status=status_for(error))


@login_required
@require_POST
def contact(request, number: str):
    """Show the reporter's unmasked contact; each reveal is written to the audit log."""
    case = visible_case_or_404(request.user, number)
    try:
        shown = services.reveal_contact(
            case, actor=request.user, reason=request.POST.get("reason", "")
        )
    except lifecycle.ActionRefused as error:
        raise PermissionDenied(error.message) from error
    context = {"case": case, "contact": shown}
    template = "cases/partials/_contact.html" if is_htmx(request) else "cases/contact.html"
    return render(request, template, context)


@login_required
@require_GET
def attachment(request, number: str, pk: int):
    """A case's file, only for those who may see the case (uploads are not public)."""
    case = visible_case_or_404(request.user, number)
    stored = get_object_or_404(Attachment, pk=pk, case=case)
    return attachments.download(stored)
