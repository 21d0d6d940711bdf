"""Petitions as rules the views and the API only call: registration with repeat
detection, acceptance, handling, extension, the handling opinion, the owning leader and
the hand-over to mediation (访调对接).

Each function takes ``*, actor``, checks who may act, writes in one transaction and
records what happened on the petition's case (``cases.events.record``). Bad input raises
``InvalidAction`` with a translated message and changes nothing.

Time limits (信访工作条例, 2022; docs/petitions.md), in calendar days:
decide whether to accept within 15 days of receipt; handle within 60 days of
acceptance; extend once, with a reason, by at most 30 days.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role, User
from civicgrid.cases import events, phones
from civicgrid.cases import services as case_services
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import Case, Channel, Light, Status
from civicgrid.cases.scope import ScopeRule, refusal_for, sidecars_in
from civicgrid.core.models import PersonalDataRead

from . import lifecycle, matching
from .events import EXTENDED, LEADER_CONTACT, LEADER_OWNS, MEDIATION_CONSENT, REGISTERED
from .lifecycle import PetitionMove
from .models import (
    HANDLING_STATES,
    Addressed,
    ContactKind,
    Form,
    LeaderContact,
    Petition,
    PetitionState,
)

# Who works at the petition window (the "petition officer"): the centre's operators,
# dispatchers and mediators, and the leaders above them; in their regions.
PETITION_ROLES = (Role.OPERATOR, Role.DISPATCHER, Role.MEDIATOR, Role.LEADER)
# An extension needs the approval of the head of the office (本机关负责人批准): a leader.
EXTENSION_ROLES = (Role.LEADER,)
LEADER_ROLES = (Role.LEADER,)

DECIDE_DAYS = 15
HANDLE_DAYS = 60
MAX_EXTENSION_DAYS = 30
# Review (复查): asked within 30 days of receiving the opinion, answered within 30 days.
REVIEW_ASK_DAYS = 30
REVIEW_DAYS = 30
YELLOW_AT = 0.8
# A petition received longer ago than this is a data-entry mistake, not a late entry.
OLDEST_RECEIPT_DAYS = 366
MAX_CO_PETITIONERS = 100_000

# The channel of the new case, by the form of the petition.
CHANNEL_OF_FORM = {
    Form.LETTER: Channel.WALK_IN,
    Form.VISIT: Channel.WALK_IN,
    Form.ONLINE: Channel.WEB,
    Form.VIDEO: Channel.WALK_IN,
}

# The lawful routes a petitioner may be told when a petition is not accepted
# (信访工作条例: matters for litigation, arbitration or administrative review go there).
LAWFUL_ROUTES = (
    "向人民法院提起诉讼",
    "申请仲裁",
    "申请行政复议",
    "申请人民调解",
    "向有权处理的机关、单位提出",
    "向人民检察院申请法律监督",
)


# --- who may act, who sees -------------------------------------------------------------


def _is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN)))


def refusal(user, case: Case, roles=PETITION_ROLES) -> str | None:
    """Why ``user`` may not work on petitions of ``case`` (translated), or None."""
    return refusal_for(user, case, roles, ScopeRule.REGION)


def may_work_on(user, case: Case) -> bool:
    return refusal(user, case) is None


def _require(user, case: Case, roles=PETITION_ROLES) -> None:
    why = refusal(user, case, roles)
    if why:
        raise ActionRefused(why)


def visible_petitions(user) -> QuerySet[Petition]:
    """The petitions whose case lies in (or is owned by a centre in) the user's regions
    under one of the petition roles."""
    petitions = Petition.objects.select_related("case", "repeat_of__case", "leader")
    if _is_admin(user):
        return petitions
    if not user.is_authenticated:
        return petitions.none()
    return petitions.filter(sidecars_in(user.grants_for(*PETITION_ROLES)))


# --- registration --------------------------------------------------------------------


@dataclass
class PetitionInput:
    """What the window registers, already read from a form or the API."""

    form: str
    petitioner_name: str
    matter: str
    addressed_to: str
    received_on: date | str | None
    receiving_office: str
    petitioner_phone: str = ""
    petitioner_id_number: str = ""
    co_petitioners: int | str = 0
    higher_level: bool = False


def _date(value, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidAction(_("Give the date as YYYY-MM-DD."), field) from None


def clean(data: PetitionInput, today: date) -> PetitionInput:
    """``data`` checked and trimmed, or ``InvalidAction`` naming the field."""
    if data.form not in Form.values:
        raise InvalidAction(_("Choose the form of the petition."), "form")
    name = (data.petitioner_name or "").strip()
    if not name or len(name) > 50:
        raise InvalidAction(_("Give the petitioner's name (at most 50 characters)."), "name")
    phone = (data.petitioner_phone or "").strip()
    if phone and not phones.plausible(phone):
        raise InvalidAction(_("This does not look like a phone number."), "phone")
    id_number = "".join((data.petitioner_id_number or "").split()).upper()
    if id_number and (len(id_number) not in (15, 18) or not id_number[:-1].isdigit()):
        raise InvalidAction(_("An ID number has 15 or 18 characters."), "id_number")
    if not phone and not id_number:
        raise InvalidAction(
            _("Give the petitioner's phone or ID number, so repeat petitions are found."),
            "phone",
        )
    matter = (data.matter or "").strip()
    if not matter:
        raise InvalidAction(_("Describe the matter petitioned."), "matter")
    if len(matter) > 4000:
        raise InvalidAction(_("The matter is longer than 4000 characters."), "matter")
    if data.addressed_to not in Addressed.values:
        raise InvalidAction(_("Choose the level the petition was addressed to."), "addressed_to")
    received = _date(data.received_on, "received_on")
    if received > today:
        raise InvalidAction(_("A petition cannot be received in the future."), "received_on")
    if received < today - timedelta(days=OLDEST_RECEIPT_DAYS):
        raise InvalidAction(
            _("A petition received more than a year ago cannot be registered now."), "received_on"
        )
    office = (data.receiving_office or "").strip()
    if not office or len(office) > 80:
        raise InvalidAction(_("Name the receiving office (at most 80 characters)."), "office")
    try:
        co = int(data.co_petitioners or 0)
    except (TypeError, ValueError):
        raise InvalidAction(_("The number of co-petitioners is a whole number."), "co") from None
    if not 0 <= co <= MAX_CO_PETITIONERS:
        raise InvalidAction(_("The number of co-petitioners is a whole number."), "co")
    return PetitionInput(
        form=data.form,
        petitioner_name=name,
        matter=matter,
        addressed_to=data.addressed_to,
        received_on=received,
        receiving_office=office,
        petitioner_phone=phone,
        petitioner_id_number=id_number,
        co_petitioners=co,
        higher_level=bool(data.higher_level),
    )


def find_repeat(identity: str, matter: str, *, exclude: int | None = None):
    """The first earlier petition of the same person about the same matter, and how many
    there are; ``(None, 0)`` when this is the first."""
    if not identity:
        return None, 0
    earlier = Petition.objects.filter(identity_hash=identity)
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude)
    same = [
        p
        for p in earlier.order_by("received_on", "pk").only("pk", "matter", "received_on")
        if matching.same_matter(matter, p.matter)
    ]
    return (same[0], len(same)) if same else (None, 0)


def register(
    case: Case, data: PetitionInput, *, actor: User, today: date | None = None
) -> Petition:
    """Register a petition on ``case`` (one per case), finding an earlier one it repeats."""
    _require(actor, case)
    if case.status == Status.MERGED:
        raise InvalidAction(_("This case was merged into another; register the petition there."))
    today = today or timezone.localdate()
    data = clean(data, today)
    return _create(case, data, actor=actor)


def _create(case: Case, data: PetitionInput, *, actor: User) -> Petition:
    received: date = data.received_on  # type: ignore[assignment]  # cleaned
    identity = matching.identity_hash(
        data.petitioner_name, data.petitioner_id_number, data.petitioner_phone
    )
    original, count = find_repeat(identity, data.matter)
    try:
        with transaction.atomic():
            petition = Petition.objects.create(
                case=case,
                form=data.form,
                petitioner_name=data.petitioner_name,
                petitioner_phone=data.petitioner_phone,
                petitioner_id_number=data.petitioner_id_number,
                co_petitioners=int(data.co_petitioners),
                identity_hash=identity,
                matter=data.matter,
                addressed_to=data.addressed_to,
                higher_level=data.higher_level,
                received_on=received,
                receiving_office=data.receiving_office,
                repeat_of=original,
                repeat_count=count,
                registered_by=actor,
                decide_by=received + timedelta(days=DECIDE_DAYS),
            )
            event_data: dict[str, object] = {
                "form": data.form,
                "state": PetitionState.REGISTERED,
                "decide_by": petition.decide_by.isoformat(),
            }
            if original is not None:
                event_data["repeat_of"] = original.case.number
            if data.higher_level:
                event_data["higher_level"] = True
            events.record(case, REGISTERED, actor=actor, data=event_data)
    except IntegrityError:
        raise InvalidAction(_("This case already has a petition.")) from None
    return petition


def register_with_case(
    data: PetitionInput, *, actor: User, title: str = "", today: date | None = None
) -> Petition:
    """A new case and its petition, from the window's one registration form; all or nothing."""
    today = today or timezone.localdate()
    data = clean(data, today)
    intake = case_services.Intake(
        channel=CHANNEL_OF_FORM[Form(data.form)],
        title=(title or "").strip() or data.matter[:40],
        content=data.matter,
        reporter_name=data.petitioner_name,
        reporter_phone=data.petitioner_phone,
    )
    with transaction.atomic():
        case = case_services.register_case(intake, actor=actor)
        _require(actor, case)
        return _create(case, data, actor=actor)


def reveal_petitioner(petition: Petition, *, actor: User, reason: str = "") -> dict:
    """The petitioner's unmasked name, phone and ID number; every call is audited."""
    _require(actor, petition.case)
    PersonalDataRead.objects.create(
        user=actor,
        subject=petition.case.number,
        field=f"petitioner {petition.pk}",
        reason=(reason or "")[:200],
    )
    return {
        "name": petition.petitioner_name,
        "phone": petition.petitioner_phone,
        "id_number": petition.petitioner_id_number,
    }


# --- the time limits -------------------------------------------------------------------


def _window_light(start: date, due: date, today: date) -> str:
    if today > due:
        return Light.RED
    warn = start + timedelta(days=int((due - start).days * YELLOW_AT))
    return Light.YELLOW if today >= warn else Light.GREEN


def light(petition: Petition, today: date | None = None) -> str:
    """The traffic light of the clock running now: acceptance, then handling."""
    today = today or timezone.localdate()
    if petition.state == PetitionState.REGISTERED:
        return _window_light(petition.received_on, petition.decide_by, today)
    if petition.state in HANDLING_STATES and petition.due_on and petition.decided_on:
        return _window_light(petition.decided_on, petition.due_on, today)
    if petition.state == PetitionState.REVIEWING and petition.review_due_on:
        start = petition.review_requested_on or petition.review_due_on
        return _window_light(start, petition.review_due_on, today)
    return Light.NONE


def overdue_q(today: date) -> Q:
    """The petitions past the limit now running."""
    return (
        Q(state=PetitionState.REGISTERED, decide_by__lt=today)
        | Q(state__in=HANDLING_STATES, due_on__lt=today)
        | Q(state=PetitionState.REVIEWING, review_due_on__lt=today)
    )


def days_left(petition: Petition, today: date | None = None) -> int | None:
    today = today or timezone.localdate()
    if petition.state == PetitionState.REGISTERED:
        return (petition.decide_by - today).days
    if petition.state in HANDLING_STATES and petition.due_on:
        return (petition.due_on - today).days
    if petition.state == PetitionState.REVIEWING and petition.review_due_on:
        return (petition.review_due_on - today).days
    return None


# --- the moves -------------------------------------------------------------------------


def accept(petition: Petition, *, actor: User, today: date | None = None) -> Petition:
    """Accept (受理): the 60-day handling clock starts on the day of the decision."""
    _require(actor, petition.case)
    lifecycle.check(petition, PetitionMove.ACCEPT)
    today = today or timezone.localdate()
    due = today + timedelta(days=HANDLE_DAYS)
    return lifecycle.move(
        petition,
        PetitionMove.ACCEPT,
        actor=actor,
        fields={"decided_on": today, "decided_by": actor, "due_on": due},
        data={"due": due.isoformat()},
    )


def refuse(
    petition: Petition, *, actor: User, reason: str, route: str, today: date | None = None
) -> Petition:
    """Do not accept (不予受理), with the reason and the lawful route the petitioner is told."""
    _require(actor, petition.case)
    lifecycle.check(petition, PetitionMove.REFUSE)
    reason, route = (reason or "").strip(), (route or "").strip()
    if not reason or len(reason) > 2000:
        raise InvalidAction(_("Say why the petition is not accepted."), "reason")
    if not route or len(route) > 500:
        raise InvalidAction(_("Tell the petitioner the lawful route to take."), "route")
    today = today or timezone.localdate()
    return lifecycle.move(
        petition,
        PetitionMove.REFUSE,
        actor=actor,
        note=reason,
        fields={
            "decided_on": today,
            "decided_by": actor,
            "refusal_reason": reason,
            "lawful_route": route,
        },
    )


def start(petition: Petition, *, actor: User) -> Petition:
    _require(actor, petition.case)
    return lifecycle.move(petition, PetitionMove.START, actor=actor)


def reply(petition: Petition, *, actor: User, opinion: str, today: date | None = None) -> Petition:
    """The handling opinion (处理意见), told to the petitioner in writing."""
    _require(actor, petition.case)
    lifecycle.check(petition, PetitionMove.REPLY)
    opinion = (opinion or "").strip()
    if not opinion or len(opinion) > 4000:
        raise InvalidAction(_("Write the handling opinion (at most 4000 characters)."), "opinion")
    today = today or timezone.localdate()
    return lifecycle.move(
        petition,
        PetitionMove.REPLY,
        actor=actor,
        note=opinion,
        fields={"opinion": opinion, "replied_on": today},
    )


def request_review(
    petition: Petition, *, actor: User, asked_on=None, today: date | None = None
) -> Petition:
    """The petitioner asks for a review (复查) of the opinion, within 30 days of it;
    the review opinion is due within 30 days of the request."""
    _require(actor, petition.case)
    lifecycle.check(petition, PetitionMove.REQUEST_REVIEW)
    today = today or timezone.localdate()
    asked = _date(asked_on or today, "asked_on")
    if asked > today:
        raise InvalidAction(_("A review cannot be asked for in the future."), "asked_on")
    replied = petition.replied_on or today
    if asked < replied:
        raise InvalidAction(_("A review is asked for after the opinion was given."), "asked_on")
    if asked > replied + timedelta(days=REVIEW_ASK_DAYS):
        raise InvalidAction(
            _("A review must be asked for within 30 days of the opinion."), "asked_on"
        )
    due = asked + timedelta(days=REVIEW_DAYS)
    return lifecycle.move(
        petition,
        PetitionMove.REQUEST_REVIEW,
        actor=actor,
        fields={"review_requested_on": asked, "review_due_on": due},
        data={"review_due": due.isoformat()},
    )


def review(petition: Petition, *, actor: User, opinion: str, today: date | None = None) -> Petition:
    """The review opinion (复查意见), told to the petitioner in writing."""
    _require(actor, petition.case)
    lifecycle.check(petition, PetitionMove.REVIEW)
    opinion = (opinion or "").strip()
    if not opinion or len(opinion) > 4000:
        raise InvalidAction(_("Write the review opinion (at most 4000 characters)."), "opinion")
    return lifecycle.move(
        petition,
        PetitionMove.REVIEW,
        actor=actor,
        note=opinion,
        fields={"review_opinion": opinion, "reviewed_on": today or timezone.localdate()},
    )


def close(petition: Petition, *, actor: User) -> Petition:
    _require(actor, petition.case)
    return lifecycle.move(
        petition, PetitionMove.CLOSE, actor=actor, fields={"closed_at": timezone.now()}
    )


def extend(petition: Petition, *, actor: User, days, reason: str) -> Petition:
    """Extend the handling limit once, by 1 to 30 days, with a reason; a leader approves."""
    _require(actor, petition.case, EXTENSION_ROLES)
    if petition.state not in HANDLING_STATES or petition.due_on is None:
        raise InvalidAction(_("Only a petition being handled can be extended."))
    if petition.extended_days:
        raise InvalidAction(_("The time limit was already extended once."))
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise InvalidAction(_("Extend by 1 to 30 days."), "days") from None
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidAction(_("Extend by 1 to 30 days."), "days")
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        raise InvalidAction(_("Give the reason for the extension."), "reason")
    due = petition.due_on + timedelta(days=days)
    with transaction.atomic():
        won = Petition.objects.filter(
            pk=petition.pk, extended_days=0, state__in=HANDLING_STATES
        ).update(
            extended_days=days,
            due_on=due,
            extension_reason=reason,
            extended_by=actor,
            extended_at=timezone.now(),
        )
        if not won:
            raise InvalidAction(_("The time limit was already extended once."))
        events.record(
            petition.case,
            EXTENDED,
            actor=actor,
            note=reason,
            data={"days": days, "due": due.isoformat()},
        )
    petition.refresh_from_db()
    return petition


# --- the owning leader (包案) ------------------------------------------------------------


def take_ownership(petition: Petition, *, actor: User) -> Petition:
    """A leader owns the petition; one leader per petition."""
    _require(actor, petition.case, LEADER_ROLES)
    if petition.state == PetitionState.CLOSED:
        raise InvalidAction(_("A closed petition cannot be taken on."))
    with transaction.atomic():
        won = Petition.objects.filter(pk=petition.pk, leader__isnull=True).update(
            leader=actor, leader_since=timezone.now()
        )
        if not won:
            raise InvalidAction(_("Another leader already owns this petition."))
        events.record(
            petition.case,
            LEADER_OWNS,
            actor=actor,
            data={"leader": actor.get_full_name() or actor.username},
        )
    petition.refresh_from_db()
    return petition


def log_contact(
    petition: Petition,
    *,
    actor: User,
    kind: str,
    held_on,
    place: str,
    said: str,
    outcome: str,
    today: date | None = None,
) -> LeaderContact:
    """A reception (接访) or a visit (下访) by the owning leader."""
    _require(actor, petition.case, LEADER_ROLES)
    if petition.leader_id != actor.pk:
        raise ActionRefused(_("Only the leader who owns this petition logs its receptions."))
    if kind not in ContactKind.values:
        raise InvalidAction(_("Choose reception or visit."), "kind")
    held = _date(held_on, "held_on")
    today = today or timezone.localdate()
    if held > today:
        raise InvalidAction(_("A reception or visit is logged once it took place."), "held_on")
    if held < petition.received_on:
        raise InvalidAction(_("It cannot be before the petition was received."), "held_on")
    place, said, outcome = (place or "").strip(), (said or "").strip(), (outcome or "").strip()
    if not place or len(place) > 120:
        raise InvalidAction(_("Give the place (at most 120 characters)."), "place")
    if not said or not outcome or len(said) > 4000 or len(outcome) > 4000:
        raise InvalidAction(_("Write what was said and the outcome."), "said")
    with transaction.atomic():
        contact = LeaderContact.objects.create(
            petition=petition,
            kind=kind,
            held_on=held,
            place=place,
            said=said,
            outcome=outcome,
            leader=actor,
        )
        events.record(
            petition.case,
            LEADER_CONTACT,
            actor=actor,
            note=outcome,
            data={"contact": kind, "held_on": held.isoformat()},
        )
    return contact


# --- 访调对接 ---------------------------------------------------------------------------


def record_mediation_consent(petition: Petition, *, actor: User) -> Petition:
    """The petitioner agrees that the civil dispute goes to mediation (once, recorded)."""
    _require(actor, petition.case)
    if petition.state in (PetitionState.NOT_ACCEPTED, PetitionState.CLOSED):
        raise InvalidAction(_("A petition that is not accepted or closed is not handed over."))
    with transaction.atomic():
        won = Petition.objects.filter(pk=petition.pk, mediation_consent_at__isnull=True).update(
            mediation_consent_at=timezone.now(), mediation_consent_by=actor
        )
        if won:
            events.record(petition.case, MEDIATION_CONSENT, actor=actor)
    petition.refresh_from_db()
    return petition
