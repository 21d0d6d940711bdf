"""The dispute on its case page (a panel of ``cases.extensions``, registered in the
project wiring): hand-over for a case that is not a dispute yet; else the dispute, its
parties masked, its sessions and the forms of the moves the user may take now."""

from django.utils import timezone

from civicgrid.routing.models import Department

from . import services
from .lifecycle import allowed_moves
from .models import (
    RUNNING,
    Court,
    Dispute,
    DisputeState,
    DisputeType,
    Mediator,
    Organisation,
    Refusal,
    ResolutionMethod,
    Source,
)

# Where a dispute came from, guessed from the case's channel (the form can change it).
SOURCE_OF_CHANNEL = {
    "grid_patrol": Source.SCREENING,
    "hotline": Source.HOTLINE,
    "police_diversion": Source.POLICE_110,
    "walk_in": Source.APPLICATION,
}


def _preselected_source(request) -> str | None:
    """``?source=petition`` on the case page: another window (the petition office's
    访调对接) sends the user to hand the case over with its source chosen."""
    source = request.GET.get("source", "")
    return source if source in Source.values else None


def dispute_panel(request, case) -> dict | None:
    user = request.user
    dispute = (
        Dispute.objects.filter(case=case).select_related("type__parent", "organisation").first()
    )
    if dispute is None:
        if not services.may_hand_over(user, case):
            return None
        return {
            "case": case,
            "hand_over": True,
            "types": DisputeType.objects.filter(parent__isnull=False).select_related("parent"),
            "sources": Source.choices,
            "courts": Court.choices,
            "default_source": _preselected_source(request)
            or SOURCE_OF_CHANNEL.get(case.channel, Source.APPLICATION),
        }
    may_work = services.may_work_on(user, dispute)
    now = timezone.now()
    moves = allowed_moves(dispute.state) if may_work else []
    context = {
        "case": case,
        "dispute": dispute,
        "parties": list(dispute.parties.all()),
        "sessions": list(dispute.sessions.all()),
        "obligations": list(dispute.obligations.all()),
        "mediators": list(dispute.mediators.all()),
        "routes_told": list(dispute.routes.all()),
        "light": services.light(dispute, now),
        "days_left": services.confirmation_days_left(dispute, now),
        "may_work": may_work,
        "moves": moves,
        "running": dispute.state in RUNNING,
        "is_refused": dispute.state == DisputeState.REFUSED,
        "is_failed": dispute.state == DisputeState.FAILED,
    }
    if may_work:
        context.update(
            refusals=Refusal.choices,
            methods=list(ResolutionMethod.objects.all()),
            organisations=list(Organisation.objects.filter(active=True)),
            available=list(
                Mediator.objects.filter(available=True, organisation__active=True).select_related(
                    "organisation"
                )
            ),
            departments=list(Department.objects.filter(active=True).order_by("code")),
            can_assign=not dispute.is_finished,
        )
    return context


def aftercare_panel(request, case) -> dict | None:
    """After the agreement, on the case page: the confirmation countdown and papers,
    each obligation's follow-ups, the callback, re-mediation, publication; and the
    links to the printed papers and the dossier."""
    from . import aftercare
    from .lifecycle import AFTER_AGREEMENT
    from .records import FollowUpResult, Ruling, Satisfaction

    dispute = Dispute.objects.filter(case=case).select_related("type", "case").first()
    if dispute is None or not services.may_work_on(request.user, dispute):
        return None
    now = timezone.now()
    today = timezone.localdate(now)
    obligations = list(dispute.obligations.filter(superseded=False).prefetch_related("follow_ups"))
    parties = list(dispute.parties.select_related("publication_consent"))
    moves = allowed_moves(dispute.state)
    resolved = aftercare.is_resolved(dispute)
    return {
        "case": case,
        "dispute": dispute,
        "today": today.isoformat(),
        "days_left": services.confirmation_days_left(dispute, now),
        "warning": aftercare.confirmation_warning(dispute, now),
        "confirmations": list(dispute.confirmations.all()),
        "obligations": [
            {
                "o": o,
                "overdue": o.performed_on is None
                and o.due_on < today
                and not any(f.on >= o.due_on for f in o.follow_ups.all()),
            }
            for o in obligations
        ],
        "old_obligations": list(dispute.obligations.filter(superseded=True)),
        "following_up": dispute.state in AFTER_AGREEMENT,
        "all_performed": bool(obligations) and all(o.performed_on for o in obligations),
        "moves": moves,
        "resolved": resolved,
        "callbacks": list(dispute.callbacks.select_related("party")),
        "parties": parties,
        "consents": {p.pk: getattr(p, "publication_consent", None) for p in parties},
        "publication": getattr(dispute, "publication", None),
        "remediations": aftercare.remediation_count(dispute),
        "results": FollowUpResult.choices,
        "satisfactions": Satisfaction.choices,
        "rulings": [
            (Ruling.CONFIRMED, Ruling.CONFIRMED.label),
            (Ruling.REJECTED, Ruling.REJECTED.label),
        ],
        "written": dispute.state
        in (
            DisputeState.AGREED,
            DisputeState.CONFIRMING,
            DisputeState.CONFIRMED,
            DisputeState.NOTARISED,
            DisputeState.PERFORMED,
            DisputeState.CLOSED,
        )
        and bool(obligations),
    }
