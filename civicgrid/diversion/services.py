"""110 ↔ 12345 (非警务警情分流): take a diverted call in once, list the police matters
handed back. The API (``api.py``) reads the input and maps the outcomes to HTTP."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from civicgrid.accounts.models import User
from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.scope import in_regions

from .models import Diversion


class TakenByAnother(Exception):
    """The incident number belongs to another account's diversion."""


@dataclass(frozen=True)
class Diverted:
    diversion: Diversion
    duplicate: bool  # the incident had been diverted before: its case, not a new one


def divert(
    intake: services.Intake, *, incident_number: str, police_received_at, actor: User
) -> Diverted:
    """The case of 110's incident ``incident_number``, registered once: sending the same
    incident again returns the same case. Raises ``TakenByAnother`` when another account
    diverted that number, and the lifecycle's errors for a bad intake."""
    # Only the account's own diversions; the door (auth) already let only 110 in.
    found = Diversion.objects.filter(incident_number=incident_number)
    existing = found.filter(case__created_by=actor).select_related("case").first()
    if existing is not None:
        return Diverted(existing, duplicate=True)
    if found.exists():
        raise TakenByAnother(incident_number)
    key = services.SubmissionKey.for_user(actor, f"incident:{incident_number}")
    case = services.register_case_once(intake, actor=actor, key=key).case
    try:
        with transaction.atomic():
            diversion, created = Diversion.objects.get_or_create(
                incident_number=incident_number,
                defaults={"case": case, "police_received_at": police_received_at},
            )
    except IntegrityError:  # the case already has its diversion row (a concurrent resend)
        diversion, created = Diversion.objects.get(case=case), False
    if diversion.case_id != case.pk:  # another account's, that won a race for the number
        raise TakenByAnother(incident_number)
    return Diverted(diversion, duplicate=not created)


@dataclass(frozen=True)
class HandedBack:
    number: str
    incident_number: str | None  # set when the case came from 110
    title: str
    address: str
    reason: str
    handed_back_at: datetime


def handed_back(actor: User, *, since: datetime, limit: int) -> list[HandedBack]:
    """The police matters referred in ``actor``'s regions since ``since``, oldest first,
    wherever the case came from (a call to 12345 may be one); a narrow summary each."""
    visible = Case.objects.filter(in_regions(actor)).values("pk")
    events = list(
        CaseEvent.objects.filter(
            action=Action.REFER, data__kind="police_matter", at__gte=since, case__in=visible
        )
        .select_related("case")
        .order_by("at", "id")[:limit]
    )
    incidents = dict(
        Diversion.objects.filter(case__in=[e.case_id for e in events]).values_list(
            "case_id", "incident_number"
        )
    )
    return [
        HandedBack(
            number=e.case.number,
            incident_number=incidents.get(e.case_id),
            title=e.case.title,
            address=e.case.address,
            reason=e.note,
            handed_back_at=e.at,
        )
        for e in events
    ]
