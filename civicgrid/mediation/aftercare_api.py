"""After the agreement, for other systems: a dispute's confirmation countdown, papers,
follow-ups, callbacks, re-mediations and dossier checklist; a follow-up recorded; and
the published disputes (anonymised copies) with their satisfaction summary.

Registered on the mediation router (``mediation.api`` imports this module).
"""

from datetime import date, datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja.responses import Status

from civicgrid.cases.api import MAX_NUMBER, not_found
from civicgrid.cases.lifecycle import ActionRefused
from civicgrid.cases.models import Case
from civicgrid.cases.scope import visible_cases
from civicgrid.core.api import ERRORS, Input

from . import aftercare, documents, services
from .api import router
from .models import Dispute, Obligation
from .records import FollowUpResult, Publication


class ConfirmationOut(Schema):
    kind: str = Field(description="judicial (司法确认) or notarial (公证).")
    body: str = Field(description="The court or the notary office.")
    applied_on: date
    ruling: str = Field(description="pending / confirmed / rejected.")
    ruled_on: date | None
    reference: str = Field(description="Ruling or notarial certificate number.")


class FollowUpOut(Schema):
    result: str
    on: date
    note: str


class ObligationOut(Schema):
    id: int
    who: str
    what: str
    due_on: date
    performed_on: date | None
    superseded: bool = Field(description="Replaced by a re-mediation (kept as history).")
    follow_ups: list[FollowUpOut]


class CallbackOut(Schema):
    satisfaction: str
    on: date
    note: str


class ChecklistItemOut(Schema):
    key: str
    label: str
    required: bool
    present: bool


class AftercareOut(Schema):
    case: str
    state: str
    confirm_by: datetime | None
    confirmation_days_left: int | None
    confirmation_warning: str = Field(description='"" / "orange" (≤ 7 days) / "red" (over).')
    confirmations: list[ConfirmationOut]
    obligations: list[ObligationOut]
    callbacks: list[CallbackOut]
    remediations: int
    published: bool
    checklist: list[ChecklistItemOut]


def _dispute(request: HttpRequest, number: str) -> Dispute:
    user = request.auth  # type: ignore[attr-defined]
    case = visible_cases(user, Case.objects.filter(number=number[:MAX_NUMBER])).first()
    found = (
        Dispute.objects.select_related("case", "type__parent").filter(case=case).first()
        if case is not None
        else None
    )
    if found is None:
        raise not_found(_("There is no dispute %(number)s that you can see.") % {"number": number})
    why = services.refusal(user, found)
    if why:
        raise ActionRefused(why)
    return found


@router.get(
    "/disputes/{number}/aftercare",
    response={200: AftercareOut, **ERRORS},
    summary="A dispute after its agreement",
)
def get_aftercare(request: HttpRequest, number: str):
    """The confirmation countdown, confirmations, obligations with their follow-ups,
    callbacks, re-mediations, publication, and the dossier checklist. The parties' names
    are masked wherever a free text names them."""
    dispute = _dispute(request, number)
    now = timezone.now()
    mask = documents.masker(dispute)  # a person's name in a free text, masked
    return {
        "case": dispute.case.number,
        "state": dispute.state,
        "confirm_by": dispute.confirm_by,
        "confirmation_days_left": services.confirmation_days_left(dispute, now),
        "confirmation_warning": aftercare.confirmation_warning(dispute, now),
        "confirmations": list(dispute.confirmations.all()),
        "obligations": [
            {
                "id": o.pk,
                "who": mask(o.who),
                "what": mask(o.what),
                "due_on": o.due_on,
                "performed_on": o.performed_on,
                "superseded": o.superseded,
                "follow_ups": [
                    {"result": f.result, "on": f.on, "note": mask(f.note)}
                    for f in o.follow_ups.all()
                ],
            }
            for o in dispute.obligations.prefetch_related("follow_ups")
        ],
        "callbacks": [
            {"satisfaction": c.satisfaction, "on": c.on, "note": mask(c.note)}
            for c in dispute.callbacks.all()
        ],
        "remediations": aftercare.remediation_count(dispute),
        "published": Publication.objects.filter(dispute=dispute).exists(),
        "checklist": [
            {"key": i.key, "label": i.label, "required": i.required, "present": i.present}
            for i in documents.checklist(dispute)
        ],
    }


class FollowUpIn(Input):
    obligation: int = Field(description="The obligation's id (from the aftercare answer).")
    result: FollowUpResult
    on: date
    note: str = Field("", max_length=2000)


@router.post(
    "/disputes/{number}/follow-ups",
    response={201: FollowUpOut, **ERRORS},
    summary="Record the follow-up of one obligation",
)
def post_follow_up(request: HttpRequest, number: str, payload: FollowUpIn):
    """Performed (the date is recorded), partly or not performed (a note is required)."""
    dispute = _dispute(request, number)
    obligation = get_object_or_404(Obligation, pk=payload.obligation, dispute=dispute)
    record = aftercare.follow_up(
        obligation,
        actor=request.auth,  # type: ignore[attr-defined]
        result=payload.result,
        on=payload.on,
        note=payload.note,
    )
    return Status(201, record)


class PublishedOut(Schema):
    type_name: str
    month: str
    district: str
    street: str
    outcome: str
    satisfaction: str


class PublishedListOut(Schema):
    published: int
    satisfied_rate: float | None = Field(description="Satisfied or basically, in %.")
    disputes: list[PublishedOut]


@router.get(
    "/published",
    response={200: PublishedListOut, **ERRORS},
    summary="Published resolved disputes (anonymised)",
)
def list_published(request: HttpRequest, limit: int = Query(100, ge=1, le=500)):
    summary = aftercare.publication_summary()
    return {
        "published": summary.published,
        "satisfied_rate": summary.satisfied_rate,
        "disputes": list(Publication.objects.order_by("-month", "-pk")[:limit]),
    }
