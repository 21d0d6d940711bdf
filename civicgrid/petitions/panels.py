"""The petition on its case page (a panel of ``cases.extensions``, registered in the
project wiring): "register a petition on this case" for a case without one; else the
petition, its petitioner masked, its clock, its leader's log and the forms of the moves
the user may take now."""

from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role

from . import services
from .extensions import has_dispute
from .lifecycle import allowed_moves
from .models import HANDLING_STATES, Addressed, ContactKind, Form, Petition, PetitionState


def mediation_url(case) -> str:
    """The case page's hand-over form, with the source "petition office" chosen."""
    return reverse("cases:detail", args=[case.number]) + "?source=petition#dispute"


def petition_panel(request, case) -> dict | None:
    user = request.user
    petition = (
        Petition.objects.filter(case=case).select_related("repeat_of__case", "leader").first()
    )
    may_work = services.may_work_on(user, case)
    if petition is None:
        if not may_work or case.status == "merged":
            return None
        return {
            "case": case,
            "register": True,
            "forms": Form.choices,
            "levels": Addressed.choices,
            "today": timezone.localdate(),
        }
    today = timezone.localdate()
    is_leader = user.has_role(Role.LEADER) and may_work
    dispute = has_dispute(case)
    return {
        "case": case,
        "petition": petition,
        "light": services.light(petition, today),
        "days_left": services.days_left(petition, today),
        "contacts": list(petition.contacts.select_related("leader")),
        "may_work": may_work,
        "moves": allowed_moves(petition.state) if may_work else [],
        "may_extend": is_leader
        and petition.state in HANDLING_STATES
        and not petition.extended_days,
        "may_own": is_leader and petition.leader_id is None and petition.state != "closed",
        "owns": petition.leader_id == user.pk,
        "contact_kinds": ContactKind.choices,
        "routes": services.LAWFUL_ROUTES,
        "has_notice": petition.state != PetitionState.REGISTERED,
        "has_dispute": dispute,
        "may_hand_over": may_work
        and not dispute
        and petition.state not in (PetitionState.NOT_ACCEPTED, PetitionState.CLOSED),
        "mediation_url": mediation_url(case),
        "today": today,
    }
