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
