"""What a citizen does without an account: report (随手拍), join a case (+1), rate it.

Each function changes data in one transaction. A report is registered through
``cases.services.register_case_once`` (channel ``citizen``, no actor) with the form's
hidden key, so a double tap or a resend after a lost connection files one case; a rating is
the callback, taken through ``cases.lifecycle.apply`` with no actor (the tracking token
is the proof, ``lifecycle.SYSTEM_MAY``).
"""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.cases import lifecycle, phones
from civicgrid.cases.lifecycle import Action, ActionRefused, InvalidAction
from civicgrid.cases.models import Case, CaseEvent, Channel, Rating, Status
from civicgrid.cases.services import Intake, SubmissionKey, phone_hash, register_case_once
from civicgrid.duplicates import services as duplicates
from civicgrid.duplicates.models import Supporter
from civicgrid.routing.models import Category, RequestType

from .models import Tracking, TrackingRole, token_hash

# IntakeKey owner of every citizen report: keys are random per form, so one namespace.
KEY_OWNER = "citizen"
TITLE_CHARS = 30


@dataclass
class Report:
    """A citizen's report, parsed from the public form."""

    description: str
    phone: str
    category: Category | None = None
    name: str = ""
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    datum: str = "wgs84"


@dataclass
class Filed:
    """A case and the tracking token just issued for it (shown once, never stored)."""

    case: Case
    token: str
    replayed: bool = False


def title_from(description: str) -> str:
    """Citizens write no title: the first line of the description, shortened."""
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def _request_type(category: Category | None) -> str:
    """Help, unless the category takes only other types (a citizen never picks one)."""
    if category is None or category.allows(RequestType.HELP):
        return RequestType.HELP
    allowed = [t for t in category.request_types if t != RequestType.REPORT]
    return (allowed or category.request_types)[0]


def issue_tracking(case: Case, *, role: str, key: str = "") -> str:
    """A new private tracking token for ``case``; only its hash is stored."""
    token = secrets.token_urlsafe(24)
    Tracking.objects.create(
        case=case, token_hash=token_hash(token), role=role, key_hash=token_hash(key) if key else ""
    )
    return token


def find_tracking(token: str) -> Tracking | None:
    """The tracking link of ``token`` (with its case), or None."""
    if not token or len(token) > 64:
        return None
    found = Tracking.objects.select_related("case", "case__main_department", "case__category")
    return found.filter(token_hash=token_hash(token)).first()


def replayed_report(key: str) -> Filed | None:
    """The report a form with ``key`` already filed, with a fresh token; None if none.

    A resend of the same form (after a lost connection) must show the citizen a link
    again; the first one was shown only to the answer that got lost.
    """
    submission = SubmissionKey(KEY_OWNER, key or "")
    if submission.problem() or (case := submission.earlier_case()) is None:
        return None
    with transaction.atomic():
        token = issue_tracking(case, role=TrackingRole.REPORTER, key=key)
    return Filed(case, token, replayed=True)


def file_report(report: Report, *, photos=(), key: str) -> Filed:
    """Register the citizen's report with its (already cleaned) photos; issue its link.

    Raises ``InvalidAction`` (with ``errors``) on bad input, changing nothing.
    """
    intake = Intake(
        channel=Channel.CITIZEN,
        title=title_from(report.description),
        content=report.description.strip(),
        category=report.category,
        request_type=_request_type(report.category),
        lng=report.lng,
        lat=report.lat,
        datum=report.datum or "wgs84",
        address=report.address,
        reporter_name=report.name,
        reporter_phone=report.phone,
    )
    with transaction.atomic():
        registered = register_case_once(
            intake, actor=None, files=photos, key=SubmissionKey(KEY_OWNER, key)
        )
        token = issue_tracking(registered.case, role=TrackingRole.REPORTER, key=key)
    return Filed(registered.case, token, replayed=registered.replayed)


def join_case(case: Case, *, phone: str, name: str = "", key: str = "") -> Filed:
    """The citizen has the same problem as open case ``case``: +1 on it, and a link to follow.

    The same phone joins a case once; the form's key recognises a resend of the same
    +1, which gets a new link instead of an error.
    """
    target = Case.objects.get(pk=case.merged_into_id) if case.merged_into_id else case
    if key:
        resent = Tracking.objects.filter(
            case=target, role=TrackingRole.SUPPORTER, key_hash=token_hash(key)
        ).exists()
        if resent:
            with transaction.atomic():
                return Filed(target, issue_tracking(target, role=TrackingRole.SUPPORTER), True)
    digits = phones.digits(phone)
    hashed = phone_hash(digits)
    if hashed and hashed == target.reporter_phone_hash:
        raise InvalidAction(
            _("You reported case %(number)s yourself: follow it with the link you were given.")
            % {"number": target.number},
            "phone",
        )
    if hashed and Supporter.objects.filter(case=target, phone_hash=hashed).exists():
        raise InvalidAction(
            _("This phone number has already joined case %(number)s.") % {"number": target.number},
            "phone",
        )
    with transaction.atomic():
        supporter = duplicates.join(target, phone=digits, channel=Channel.CITIZEN, name=name)
        token = issue_tracking(supporter.case, role=TrackingRole.SUPPORTER, key=key)
    return Filed(supporter.case, token)


def rate(tracking: Tracking, *, rating: str, comment: str = "") -> CaseEvent:
    """The reporter rates the reply: the callback, as if the operator had called.

    Only on a verified case (the reply was checked on site) and only once per round:
    after it the case is "rated". An unsatisfied rating goes to the dispatchers, who
    reopen the case — exactly what an operator's unsatisfied callback does.
    """
    if not tracking.may_rate:
        raise ActionRefused(
            _("Only the person who reported the case can rate it; you are following it.")
        )
    case = Case.objects.select_related("category").get(pk=tracking.case_id)
    if case.status != Status.VERIFIED:
        raise lifecycle.TransitionNotAllowed(rating_closed_reason(case))
    if rating not in Rating.values:
        raise InvalidAction(_("Choose satisfied, basically satisfied or unsatisfied."), "rating")
    return lifecycle.apply(
        case,
        Action.CALLBACK,
        actor=None,
        rating=rating,
        by="citizen",
        comment=comment.strip()[:1000],
    )


def rating_closed_reason(case: Case) -> str:
    """Why the case cannot be rated now, in the citizen's words."""
    if case.status in (Status.RATED, Status.CLOSED) and case.rating:
        return _("This case has already been rated. Thank you.")
    if case.status == Status.CLOSED:
        return _("This case is closed; there is nothing more to rate.")
    if case.status == Status.REPLIED:
        return _("The reply is being checked on site. You can rate it as soon as that is done.")
    if case.status == Status.MERGED:
        return _("Your report is handled together with another case; we will call you back.")
    return _("There is nothing to rate yet: the department has not replied.")
