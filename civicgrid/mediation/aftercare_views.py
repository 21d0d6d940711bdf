"""Pages after the agreement: the printed papers (agreement, rights notice, dossier), the
dossier page with its checklist, the forms of the aftercare panel, the centre's
aftercare queue, and the public page of published disputes (nothing personal on it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import LifecycleError
from civicgrid.cases.models import CaseEvent
from civicgrid.cases.views.common import paginate, visible_case_or_404
from civicgrid.core.pdf import pdf_response

from . import aftercare, documents, services
from .events import MOVED
from .lifecycle import AFTER_AGREEMENT, Move
from .models import Dispute, DisputeState, Obligation, Party
from .records import Publication, PublishedOutcome, Satisfaction
from .views import _back, _day

PUBLIC_PAGE_SIZE = 50
QUEUE_SIZE = 200


def _dispute(request, number: str) -> Dispute:
    """The dispute of a case the user sees (else 404) and may work on (else 403)."""
    case = visible_case_or_404(request.user, number)
    dispute = (
        Dispute.objects.select_related("case", "type__parent", "organisation")
        .filter(case=case)
        .first()
    )
    if dispute is None:
        raise Http404("no dispute")
    why = services.refusal(request.user, dispute)
    if why:
        raise PermissionDenied(why)
    return dispute


def _pdf(request, number: str, make, name: str):
    dispute = _dispute(request, number)
    try:
        content = make(dispute, actor=request.user)
    except LifecycleError as error:
        messages.error(request, error.message)
        return redirect(_back(request, dispute.case))
    return pdf_response(content, f"{dispute.case.number}-{name}.pdf")


@login_required
@require_GET
def agreement_pdf(request, number: str):
    return _pdf(request, number, documents.agreement_pdf, "agreement")


@login_required
@require_GET
def rights_notice_pdf(request, number: str):
    return _pdf(request, number, documents.rights_notice_pdf, "rights-notice")


@login_required
@require_GET
def dossier_pdf(request, number: str):
    return _pdf(request, number, documents.dossier_pdf, "dossier")


@login_required
@require_GET
def dossier(request, number: str):
    """The dossier (一案一卷): every document in order, the missing ones flagged."""
    dispute = _dispute(request, number)
    items = documents.checklist(dispute)
    return render(
        request,
        "mediation/dossier.html",
        {
            "dispute": dispute,
            "case": dispute.case,
            "items": items,
            "missing": [i for i in items if i.missing],
        },
    )


def _act(request, dispute: Dispute, move: str) -> str:
    post, user = request.POST, request.user
    if move == "apply":
        aftercare.apply_for_confirmation(
            dispute,
            actor=user,
            court=post.get("court", ""),
            applied_on=_day(post.get("applied_on", "")),
        )
        return _("Judicial confirmation applied for.")
    if move == "ruling":
        aftercare.record_ruling(
            dispute,
            actor=user,
            ruling=post.get("ruling", ""),
            ruled_on=_day(post.get("ruled_on", "")),
            reference=post.get("reference", ""),
        )
        return _("The court's ruling is recorded.")
    if move == "notarise":
        aftercare.notarise(
            dispute,
            actor=user,
            office=post.get("office", ""),
            notarised_on=_day(post.get("notarised_on", "")),
            certificate=post.get("certificate", ""),
        )
        return _("The notarisation is recorded.")
    if move == "follow_up":
        obligation = get_object_or_404(Obligation, pk=post.get("obligation") or 0, dispute=dispute)
        aftercare.follow_up(
            obligation,
            actor=user,
            result=post.get("result", ""),
            on=_day(post.get("on", "")),
            note=post.get("note", ""),
        )
        return _("Follow-up recorded.")
    if move == "perform":
        services.perform(dispute, actor=user)
        return _("Performance recorded.")
    if move == "callback":
        party = Party.objects.filter(pk=post.get("party") or 0, dispute=dispute).first()
        aftercare.call_back(
            dispute,
            actor=user,
            satisfaction=post.get("satisfaction", ""),
            on=_day(post.get("on", "")),
            note=post.get("note", ""),
            party=party,
        )
        return _("Callback recorded.")
    if move == "remediate":
        aftercare.remediate(dispute, actor=user, reason=post.get("reason", ""))
        return _("The dispute is mediated again.")
    if move == "publication_consent":
        party = get_object_or_404(Party, pk=post.get("party") or 0, dispute=dispute)
        aftercare.record_publication_consent(
            party, actor=user, consented=post.get("consented") == "on"
        )
        return _("The party's answer about publication is recorded.")
    if move == "publish":
        aftercare.publish(dispute, actor=user)
        return _("Published anonymised.")
    raise services.InvalidAction(_("Unknown step."), "move")


@login_required
@require_POST
def act(request, number: str):
    """One step after the agreement: the ``move`` field names the form."""
    case = visible_case_or_404(request.user, number)
    dispute = get_object_or_404(Dispute.objects.select_related("case", "type"), case=case)
    why = services.refusal(request.user, dispute)
    try:
        if why:
            raise services.ActionRefused(why)
        text = _act(request, dispute, request.POST.get("move", ""))
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, text)
    return redirect(_back(request, case))


@page("mediation_aftercare")
def queue(request):
    """After the agreement, what needs doing: confirmation countdowns (orange ≤ 7 days,
    red when over), overdue follow-ups, callbacks due, publications possible, and the
    failures sent on through the green channel with where their case is now."""
    visible = services.visible_disputes(request.user)
    now = timezone.now()
    overdue: dict[int, int] = {}
    for dispute_id in aftercare.overdue_obligations(visible).values_list("dispute_id", flat=True):
        overdue[dispute_id] = overdue.get(dispute_id, 0) + 1
    waiting = list(
        visible.filter(state__in=AFTER_AGREEMENT).order_by("confirm_by", "pk")[:QUEUE_SIZE]
    )
    performed = list(
        visible.filter(state=DisputeState.PERFORMED, publication__isnull=True)
        .prefetch_related("callbacks")
        .order_by("outcome_at", "pk")[:QUEUE_SIZE]
    )
    referred = list(
        visible.filter(state=DisputeState.REFERRED).order_by("-outcome_at", "-pk")[:QUEUE_SIZE]
    )
    # Where each went (the green channel's move records it) and where its case is now.
    sent_to = dict(
        CaseEvent.objects.filter(
            case_id__in=[d.case_id for d in referred], action=MOVED, data__move=Move.REFER
        ).values_list("case_id", "data__organisation")
    )
    rows = [
        {
            "dispute": d,
            "days_left": services.confirmation_days_left(d, now),
            "warning": aftercare.confirmation_warning(d, now),
            "overdue": overdue.get(d.pk, 0),
        }
        for d in waiting
    ]
    return render(
        request,
        "mediation/aftercare.html",
        {
            "rows": rows,
            "callbacks_due": [d for d in performed if not d.callbacks.all()],
            "publishable": [d for d in performed if d.callbacks.all()],
            "referred": [(d, sent_to.get(d.case_id, "")) for d in referred],
        },
    )


@require_GET
def published(request):
    """Resolved disputes published with the parties' consent: type, month, district and
    street, outcome and satisfaction — copies holding nothing personal."""
    listing = paginate(request, Publication.objects.order_by("-month", "-pk"), PUBLIC_PAGE_SIZE)
    rows = [
        {
            "type": p.type_name,
            "month": p.month,
            "place": " · ".join(x for x in (p.district, p.street) if x),
            "outcome": PublishedOutcome(p.outcome).label,
            "satisfaction": Satisfaction(p.satisfaction).label,
            "satisfaction_value": p.satisfaction,
        }
        for p in listing.object_list
    ]
    return render(
        request,
        "mediation/published.html",
        {"page": listing, "rows": rows, "summary": aftercare.publication_summary()},
    )
