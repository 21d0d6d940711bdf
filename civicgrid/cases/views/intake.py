"""Intake (受理): the operator's form, and the caller's earlier cases as the phone is typed."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.accounts.models import Role
from civicgrid.accounts.pages import page

from .. import lifecycle, phones, queries, services
from ..forms import IntakeForm, Options
from ..models import Channel
from ..refusals import status_for
from .common import is_htmx
from .drafts import keeps_draft, restored_draft

# Where a role's reports usually come from; the form still lets them choose.
CHANNEL_OF_ROLE = {Role.GRID_WORKER: Channel.GRID_PATROL, Role.MEDIATOR: Channel.WALK_IN}


DRAFT = "intake_draft"


@keeps_draft(DRAFT)
@page("intake")
def intake(request):
    options = Options()
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, options=options)
        status = 400
        if form.is_valid():
            try:
                registered = _register(form, request.user)
            except lifecycle.LifecycleError as error:
                _show_errors(form, error)
                status = status_for(error)
            else:
                _confirm(request, registered)
                return redirect("cases:detail", number=registered.case.number)
    elif draft := restored_draft(request, DRAFT):
        form = IntakeForm(draft, options=options)
    else:
        # As home, the first grant's role decides.
        roles = request.user.roles
        channel = CHANNEL_OF_ROLE.get(roles[0], Channel.HOTLINE) if roles else Channel.HOTLINE
        form = IntakeForm(options=options, initial={"channel": channel})
    context = {
        "form": form,
        "earlier": _earlier(request.user, form.data.get("reporter_phone", "")),
        # The standard phrases for a direct answer, beside the answer box.
        "may_answer": request.user.has_role(
            *lifecycle.PERMISSIONS[lifecycle.Action.ANSWER_DIRECTLY][0]
        ),
    }
    return render(request, "cases/intake.html", context, status=status)


def _register(form: IntakeForm, user) -> services.Registered:
    """Register the case and store its files, all or nothing; the form sent again
    (a double click) gives the case it made the first time."""
    data = form.cleaned_data
    files = data.get("attachments") or []
    key = services.SubmissionKey.for_user(user, data.get("client_key", ""))
    if not form.answers_directly:
        return services.register_case_once(form.intake(), actor=user, files=files, key=key)
    return services.answer_at_intake_once(
        form.intake(),
        answer=data["answer"],
        knowledge_entry=data["knowledge_entry"],
        actor=user,
        files=files,
        key=key,
    )


def _show_errors(form: IntakeForm, error: lifecycle.LifecycleError) -> None:
    errors = getattr(error, "errors", None) or {None: error.message}
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)


def _confirm(request, registered: services.Registered) -> None:
    case = registered.case
    if registered.replayed:
        text = _("Case %(number)s had already arrived; it was not filed twice.")
        messages.info(request, text % {"number": case.number})
        return
    messages.success(request, _("Case %(number)s registered.") % {"number": case.number})
    if not case.awaits_placement:
        return
    if case.lng is None:
        message = _(
            "No position was given: the case waits on the triage page for a dispatcher "
            "to place it on the map."
        )
    else:
        message = _(
            "The case has no position inside a grid: it is flagged for manual placement "
            "on the triage page."
        )
    messages.warning(request, message)


def _earlier(user, phone: str):
    if len(phones.digits(phone)) < phones.MIN_DIGITS:
        return None
    return list(queries.earlier_cases(user, phone))


@page("intake")
@require_GET
def earlier_cases(request):
    """The caller's earlier cases, masked; htmx swaps them in beside the phone field."""
    context = {"earlier": _earlier(request.user, request.GET.get("reporter_phone", ""))}
    template = (
        "cases/partials/_earlier_cases.html" if is_htmx(request) else "cases/earlier_cases.html"
    )
    return render(request, template, context)
