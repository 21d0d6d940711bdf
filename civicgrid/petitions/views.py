"""The petition window: one registration form, the petitions list, the leader's own
petitions, the forms of the petition panel and the written notice.

A petition shows on its case page (``panels.petition_panel``): the case stays the one
record. The forms post here; each parses, calls one service, and goes back.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import InvalidAction, LifecycleError
from civicgrid.cases.views.common import safe_next, visible_case_or_404
from civicgrid.core.models import PersonalDataRead
from civicgrid.core.pdf import pdf_response

from . import notices, services
from .lifecycle import PetitionMove
from .models import Addressed, Form, Petition
from .panels import mediation_url

PAGE_SIZE = 100
FILTERS = ("overdue", "repeat", "higher_level", "leader")


def _input(post) -> services.PetitionInput:
    return services.PetitionInput(
        form=post.get("form", ""),
        petitioner_name=post.get("name", ""),
        petitioner_phone=post.get("phone", ""),
        petitioner_id_number=post.get("id_number", ""),
        co_petitioners=post.get("co_petitioners") or 0,
        matter=post.get("matter", ""),
        addressed_to=post.get("addressed_to", ""),
        higher_level=post.get("higher_level") == "on",
        received_on=post.get("received_on", ""),
        receiving_office=post.get("receiving_office", ""),
    )


def _rows(petitions, today):
    return [(p, services.light(p, today), services.days_left(p, today)) for p in petitions]


@page("petitions")
def petitions(request):
    """The petitions the user sees; filters: overdue, repeat, to a higher level, owned."""
    today = timezone.localdate()
    chosen = [name for name in FILTERS if request.GET.get(name)]
    rows = services.visible_petitions(request.user)
    if "overdue" in chosen:
        rows = rows.filter(services.overdue_q(today))
    if "repeat" in chosen:
        rows = rows.filter(repeat_of__isnull=False)
    if "higher_level" in chosen:
        rows = rows.filter(higher_level=True)
    if "leader" in chosen:
        rows = rows.filter(leader__isnull=False)
    return render(
        request,
        "petitions/list.html",
        {
            "rows": _rows(rows.order_by("-received_on", "-pk")[:PAGE_SIZE], today),
            "chosen": chosen,
            "overdue_count": services.visible_petitions(request.user)
            .filter(services.overdue_q(today))
            .count(),
        },
    )


@page("petitions_owned")
def owned(request):
    """The petitions this leader owns (包案), with their receptions and visits."""
    today = timezone.localdate()
    rows = (
        Petition.objects.filter(leader=request.user)
        .select_related("case", "repeat_of__case")
        .prefetch_related("contacts")
        .order_by("-received_on", "-pk")[:PAGE_SIZE]
    )
    return render(request, "petitions/owned.html", {"rows": _rows(rows, today)})


@page("petition_intake")
def register(request):
    """The centre's window: a new case and its petition in one form."""
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            petition = services.register_with_case(
                _input(request.POST), actor=request.user, title=request.POST.get("title", "")
            )
        except LifecycleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _registered_text(petition))
            return redirect(reverse("cases:detail", args=[petition.case.number]) + "#petition")
    return render(
        request,
        "petitions/register.html",
        {
            "forms": Form.choices,
            "levels": Addressed.choices,
            "values": values,
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _registered_text(petition: Petition) -> str:
    if petition.repeat_of is not None:
        return _("Petition registered: a repeat petition of %(number)s (%(count)s earlier).") % {
            "number": petition.repeat_of.case.number,
            "count": petition.repeat_count,
        }
    return _("Petition registered; decide on acceptance by %(day)s.") % {
        "day": petition.decide_by.isoformat()
    }


def _back(request, case) -> str:
    return safe_next(request) or reverse("cases:detail", args=[case.number]) + "#petition"


@login_required
@require_POST
def register_on_case(request, number: str):
    """Register a petition on an existing case, from its page."""
    case = visible_case_or_404(request.user, number)
    try:
        petition = services.register(case, _input(request.POST), actor=request.user)
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _registered_text(petition))
    return redirect(_back(request, case))


def _act(request, petition: Petition, move: str):
    """Run one form's service; the success message (or a response to send instead)."""
    post, user = request.POST, request.user
    if move == PetitionMove.ACCEPT:
        services.accept(petition, actor=user)
        return _("Petition accepted; print the notice of acceptance for the petitioner.")
    if move == PetitionMove.REFUSE:
        services.refuse(
            petition, actor=user, reason=post.get("reason", ""), route=post.get("route", "")
        )
        return _("Not accepted; print the notice with the lawful route for the petitioner.")
    if move == PetitionMove.START:
        services.start(petition, actor=user)
        return _("Handling started.")
    if move == PetitionMove.REPLY:
        services.reply(petition, actor=user, opinion=post.get("opinion", ""))
        return _("Handling opinion recorded; print it for the petitioner.")
    if move == PetitionMove.REQUEST_REVIEW:
        services.request_review(petition, actor=user, asked_on=post.get("asked_on") or None)
        return _("Review requested; the review opinion is due within 30 days.")
    if move == PetitionMove.REVIEW:
        services.review(petition, actor=user, opinion=post.get("opinion", ""))
        return _("Review opinion recorded; print it for the petitioner.")
    if move == PetitionMove.CLOSE:
        services.close(petition, actor=user)
        return _("Petition closed.")
    if move == "extend":
        services.extend(
            petition, actor=user, days=post.get("days", ""), reason=post.get("reason", "")
        )
        return _("The time limit was extended.")
    if move == "own":
        services.take_ownership(petition, actor=user)
        return _("You own this petition (包案).")
    if move == "contact":
        services.log_contact(
            petition,
            actor=user,
            kind=post.get("kind", ""),
            held_on=post.get("held_on", ""),
            place=post.get("place", ""),
            said=post.get("said", ""),
            outcome=post.get("outcome", ""),
        )
        return _("Reception or visit logged.")
    if move == "mediation":
        if post.get("consent") != "on":
            raise InvalidAction(
                _("Mediation needs the petitioner's consent; tick it once they agreed."),
                "consent",
            )
        services.record_mediation_consent(petition, actor=user)
        messages.success(request, _("Consent recorded; hand the dispute over to mediation."))
        return redirect(mediation_url(petition.case))
    if move == "reveal":
        shown = services.reveal_petitioner(petition, actor=user, reason=post.get("reason", ""))
        return render(request, "petitions/reveal.html", {"petition": petition, "shown": shown})
    raise InvalidAction(_("Unknown step."), "move")


@login_required
@require_POST
def act(request, number: str):
    """One step on a petition: the ``move`` field names the form."""
    case = visible_case_or_404(request.user, number)
    petition = get_object_or_404(Petition.objects.select_related("case"), case=case)
    try:
        outcome = _act(request, petition, request.POST.get("move", ""))
    except LifecycleError as error:
        messages.error(request, error.message)
        return redirect(_back(request, case))
    if not isinstance(outcome, str):
        return outcome
    messages.success(request, outcome)
    return redirect(_back(request, case))


@login_required
def notice(request, number: str):
    """The written notice for the petitioner (PDF); printing it is an audited read."""
    case = visible_case_or_404(request.user, number)
    petition = get_object_or_404(Petition.objects.select_related("case"), case=case)
    why = services.refusal(request.user, case)
    if why:
        raise PermissionDenied(why)
    if notices.kind_of(petition) is None:
        raise Http404("no decision yet")
    PersonalDataRead.objects.create(
        user=request.user, subject=case.number, field=f"petitioner {petition.pk} notice"
    )
    return pdf_response(notices.notice(petition), f"petition-{case.number}.pdf")
