"""The mediation centre's window (矛调中心窗口): one registration for a visitor whose
dispute is also a petition (访调对接).

Mediation and petitions stand on one floor and do not know each other; the window
composes them here, above both: one form creates the case, its petition and its
dispute in one transaction, the petitioner's consent to mediation recorded on the
petition. A refusal anywhere (a missing name, a wrong type, no consent) leaves nothing.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import InvalidAction, LifecycleError
from civicgrid.mediation import services as mediation
from civicgrid.mediation.models import Dispute, DisputeType, Source
from civicgrid.petitions import services as petitions
from civicgrid.petitions.models import Addressed, Form, Petition


@dataclass
class DisputeInput:
    """The dispute side of the window's form (the petitioner is the applicant)."""

    type_code: str
    people_involved: int | str = 2
    amount: str | None = None
    respondent_name: str = ""
    respondent_phone: str = ""
    other_side_consents: bool = False


def register_dispute_and_petition(
    petition: petitions.PetitionInput,
    dispute: DisputeInput,
    *,
    actor: User,
    consents: bool,
    title: str = "",
) -> tuple[Petition, Dispute]:
    """A new case, its petition and its dispute, all or nothing. The petitioner must
    agree to mediation (访调对接); the dispute's source is the petition office."""
    if not consents:
        raise InvalidAction(
            _("The petitioner must agree that the dispute goes to mediation."), "consent"
        )
    with transaction.atomic():
        registered = petitions.register_with_case(petition, actor=actor, title=title)
        handed = mediation.hand_over(
            registered.case,
            actor=actor,
            type_code=dispute.type_code,
            source=Source.PETITION,
            people_involved=dispute.people_involved,
            amount=dispute.amount,
            other_side_consents=dispute.other_side_consents,
            summary=registered.matter,
            parties=[
                mediation.PartyInput(
                    "applicant", registered.petitioner_name, registered.petitioner_phone
                ),
                mediation.PartyInput(
                    "respondent", dispute.respondent_name, dispute.respondent_phone
                ),
            ],
        )
        registered = petitions.record_mediation_consent(registered, actor=actor)
    return registered, handed


def _inputs(post) -> tuple[petitions.PetitionInput, DisputeInput]:
    petition = petitions.PetitionInput(
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
    dispute = DisputeInput(
        type_code=post.get("type", ""),
        people_involved=post.get("people_involved") or 2,
        amount=post.get("amount") or None,
        respondent_name=post.get("respondent_name", ""),
        respondent_phone=post.get("respondent_phone", ""),
        other_side_consents=post.get("other_side_consents") == "on",
    )
    return petition, dispute


@page("mediation_window")
def register(request):
    """The window's one form: the case, its petition and its dispute."""
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        petition, dispute = _inputs(request.POST)
        try:
            registered, _handed = register_dispute_and_petition(
                petition,
                dispute,
                actor=request.user,
                consents=request.POST.get("consent") == "on",
                title=request.POST.get("title", ""),
            )
        except LifecycleError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Registered as a petition and a dispute; the acceptance check is next."),
            )
            return redirect(reverse("cases:detail", args=[registered.case.number]) + "#dispute")
    return render(
        request,
        "wiring/window.html",
        {
            "forms": Form.choices,
            "levels": Addressed.choices,
            "types": DisputeType.objects.filter(parent__isnull=False).select_related("parent"),
            "values": values,
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )
