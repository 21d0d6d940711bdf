"""Mediation as rules the views and the API only call: hand-over, acceptance, grading,
assignment and recusal, sessions, time limits, outcomes and the green channel.

Each function takes ``*, actor``, checks who may act, writes in one transaction and
records what happened on the dispute's case (``cases.events.record``).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role, User
from civicgrid.cases import events
from civicgrid.cases import lifecycle as case_lifecycle
from civicgrid.cases import services as case_services
from civicgrid.cases.access import grant_access
from civicgrid.cases.deadlines import add_limit
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import Case, Light, Status, light_at
from civicgrid.cases.scope import ScopeRule, refusal_for, sidecars_in
from civicgrid.core.models import PersonalDataRead
from civicgrid.routing.models import Department, LimitUnit

from . import lifecycle
from .events import ASSIGNED, CONSENTED, EXTENDED, GRADED, HANDED_OVER, RECUSED, SESSION
from .lifecycle import Move
from .models import (
    RUNNING,
    Colour,
    Court,
    Dispute,
    DisputeState,
    DisputeType,
    Level,
    Mediator,
    Obligation,
    Organisation,
    Party,
    Refusal,
    ResolutionMethod,
    Scale,
    Session,
    Source,
)
from .statistics import refresh_after_commit

# Who hands a case over to mediation: the centre's window and mediators.
HAND_OVER_ROLES = (Role.MEDIATOR, Role.DISPATCHER, Role.LEADER)
# Who works on a dispute: mediators, and the centre's leaders above them.
MEDIATION_ROLES = (Role.MEDIATOR, Role.LEADER)

# Mediation time limits (amount, unit) from acceptance, by court procedure.
# 人民调解工作若干规定: 一般在一个月内调结 (30 days); the court referral rules (诉调对接,
# as issue #12 states them): entrusted 15 working days (7 simplified), delegated 30.
TIME_LIMITS: dict[str, tuple[int, str]] = {
    Court.NONE: (30, LimitUnit.DAYS),
    Court.ENTRUSTED: (15, LimitUnit.WORKING_DAYS),
    Court.SIMPLIFIED: (7, LimitUnit.WORKING_DAYS),
    Court.DELEGATED: (30, LimitUnit.WORKING_DAYS),
}
YELLOW_AT = 0.8
# 人民调解法 §33: judicial confirmation is applied for within 30 days of the agreement.
CONFIRMATION_DAYS = 30
CONFIRMATION_WARN_DAYS = 7
# An agreement's obligations are performed within five years (a date beyond is a typo).
MAX_PERFORMANCE_DAYS = 5 * 366
MAX_PEOPLE = 1_000_000
MAX_AMOUNT = Decimal("1e11")


# --- risk grading --------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    scale: str
    level: str
    colour: str


def grade_for(people: int) -> Grade:
    """Scale, level and warning colour from the number of people involved.

    Bands: <50 individual / 一般 / yellow; 50–100 ordinary group / 较大 / orange;
    100–500 major group / 重大 / red; >500 major group / 特别重大 / red.
    """
    if people < 50:
        return Grade(Scale.INDIVIDUAL, Level.GENERAL, Colour.YELLOW)
    if people <= 100:
        return Grade(Scale.GROUP, Level.SERIOUS, Colour.ORANGE)
    if people <= 500:
        return Grade(Scale.MAJOR_GROUP, Level.MAJOR, Colour.RED)
    return Grade(Scale.MAJOR_GROUP, Level.GRAVE, Colour.RED)


def _check_people(people) -> int:
    try:
        people = int(people)
    except (TypeError, ValueError):
        raise InvalidAction(_("Give the number of people involved."), "people_involved") from None
    if not 1 <= people <= MAX_PEOPLE:
        raise InvalidAction(_("The number of people involved is at least 1."), "people_involved")
    return people


# --- who may act, who sees -----------------------------------------------------------


def _is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN)))


def organisation_ids(user) -> set[int]:
    """The organisations ``user`` mediates for."""
    return set(
        Mediator.objects.filter(user_id=user.pk, organisation__active=True).values_list(
            "organisation_id", flat=True
        )
    )


def refusal(user, dispute: Dispute) -> str | None:
    """Why ``user`` may not work on ``dispute`` (translated), or None.

    Leaders and mediators whose regions cover the case; a mediator of a mediation
    organisation only on its disputes (or on one nobody was assigned yet).
    """
    why = refusal_for(user, dispute.case, MEDIATION_ROLES, ScopeRule.REGION)
    if why:
        return why
    if _is_admin(user) or user.has_role(Role.LEADER) or dispute.organisation_id is None:
        return None
    if dispute.organisation_id in organisation_ids(user):
        return None
    return _("This dispute belongs to another mediation organisation.")


def may_work_on(user, dispute: Dispute) -> bool:
    return refusal(user, dispute) is None


def _require(user, dispute: Dispute) -> None:
    why = refusal(user, dispute)
    if why:
        raise ActionRefused(why)


def visible_disputes(user) -> QuerySet[Dispute]:
    """The disputes ``user`` sees as a leader or a mediator (another role of the same
    person widens nothing): a leader's regions; in a mediator's regions, the disputes
    of their organisations and the unassigned ones (the centre's window)."""
    disputes = Dispute.objects.select_related("case", "type", "organisation")
    if _is_admin(user):
        return disputes
    if not user.is_authenticated or not user.has_role(*MEDIATION_ROLES):
        return disputes.none()
    seen = sidecars_in(user.grants_for(Role.LEADER))
    mediating = user.grants_for(Role.MEDIATOR)
    if mediating:  # a leader alone spares the query of the organisations
        seen |= sidecars_in(mediating) & (
            Q(organisation__isnull=True) | Q(organisation_id__in=organisation_ids(user))
        )
    return disputes.filter(seen)


# What a court sends to the centre (诉调对接): delegated before filing, entrusted after.
COURT_SOURCES = (Source.COURT_DELEGATED, Source.COURT_ENTRUSTED)


def court_disputes(user) -> QuerySet[Dispute]:
    """The disputes of the court-liaison page: the ones ``user`` sees as a leader or a
    mediator, and, for a court liaison (法院联络员), in its regions only those the court
    sent and those referred to the court through the green channel — no other dispute
    of the centre, and nothing to work on (``refusal`` knows no such role)."""
    disputes = visible_disputes(user)
    grants = user.grants_for(Role.COURT_LIAISON) if user.is_authenticated else []
    if _is_admin(user) or not grants:
        return disputes
    to_court = Q(state=DisputeState.REFERRED, case__main_department__isnull=True)
    liaison = sidecars_in(grants) & (Q(source__in=COURT_SOURCES) | to_court)
    return (disputes | Dispute.objects.filter(liaison)).select_related(
        "case", "type", "organisation"
    )


def may_hand_over(user, case: Case) -> bool:
    return (
        not hasattr(case, "dispute")
        and case.status != Status.MERGED
        and refusal_for(user, case, HAND_OVER_ROLES, ScopeRule.REGION) is None
    )


# --- hand-over and parties -----------------------------------------------------------


@dataclass
class PartyInput:
    side: str
    name: str
    phone: str = ""
    kind: str = "person"


def hand_over(
    case: Case,
    *,
    actor: User,
    type_code: str,
    source: str,
    people_involved=2,
    amount=None,
    other_side_consents: bool = False,
    court: str = "",
    summary: str = "",
    parties: list[PartyInput] | None = None,
    roles: tuple[str, ...] = HAND_OVER_ROLES,
) -> Dispute:
    """Make ``case`` a dispute waiting for the acceptance check (one click from the case).

    ``roles`` widens who may hand over for one door (``screening``: the grid worker who
    found the dispute)."""
    why = refusal_for(actor, case, roles, ScopeRule.REGION)
    if why:
        raise ActionRefused(why)
    if case.status == Status.MERGED:
        raise InvalidAction(_("This case was merged into another; hand that one over."))
    dispute_type = DisputeType.objects.filter(code=(type_code or "").strip()).first()
    if dispute_type is None:
        raise InvalidAction(_("Choose the type of dispute."), "type")
    if source not in Source.values:
        raise InvalidAction(_("Choose where the dispute came from."), "source")
    court = court or ""
    if court not in Court.values:
        raise InvalidAction(_("Choose the court procedure."), "court")
    court_source = source in (Source.COURT_DELEGATED, Source.COURT_ENTRUSTED)
    if court_source and not court:
        court = Court.DELEGATED if source == Source.COURT_DELEGATED else Court.ENTRUSTED
    if court and not court_source:
        raise InvalidAction(_("Only a dispute sent by a court has a court procedure."), "court")
    people = _check_people(people_involved)
    if amount not in (None, ""):
        try:
            amount = Decimal(str(amount))
        except ArithmeticError:
            raise InvalidAction(_("The amount is a number of yuan."), "amount") from None
        if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
            raise InvalidAction(_("The amount is a number of yuan."), "amount")
    else:
        amount = None
    parties = [p for p in (parties or []) if p.name.strip()]
    for party in parties:
        if party.side not in ("applicant", "respondent") or len(party.name) > 80:
            raise InvalidAction(_("Each party needs a side and a name."), "parties")
        if len(party.phone) > 20:
            raise InvalidAction(_("A phone number is at most 20 characters."), "parties")
    grade = grade_for(people)
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                case=case,
                type=dispute_type,
                source=source,
                court=court,
                summary=(summary or case.content or "")[:4000],
                people_involved=people,
                amount=amount,
                other_side_consents=bool(other_side_consents),
                scale=grade.scale,
                level=grade.level,
                colour=grade.colour,
                registered_by=actor,
            )
            Party.objects.bulk_create(
                Party(
                    dispute=dispute,
                    side=p.side,
                    kind=p.kind if p.kind in ("person", "organisation") else "person",
                    name=p.name.strip(),
                    phone=p.phone.strip(),
                )
                for p in parties
            )
            events.record(
                case,
                HANDED_OVER,
                actor=actor,
                data={"dispute_type": str(dispute_type), "state": DisputeState.REGISTERED},
            )
            _record_grade(dispute, actor)
    except IntegrityError:
        raise InvalidAction(_("This case is already a dispute in mediation.")) from None
    return dispute


def _record_grade(dispute: Dispute, actor: User) -> None:
    # Red and orange reach the centre's leaders at once (notifications.RULES).
    events.record(
        dispute.case,
        GRADED,
        actor=actor,
        data={"scale": dispute.scale, "level": dispute.level, "colour": dispute.colour},
    )


def regrade(dispute: Dispute, *, actor: User, people_involved, colour: str = "") -> Dispute:
    """Grade again from a new count of people; the colour may be raised, never lowered."""
    _require(actor, dispute)
    people = _check_people(people_involved)
    grade = grade_for(people)
    order: list[str] = [Colour.YELLOW, Colour.ORANGE, Colour.RED]
    if colour and colour not in order:
        raise InvalidAction(_("Choose a warning colour."), "colour")
    chosen = order[max(order.index(grade.colour), order.index(colour or grade.colour))]
    with transaction.atomic():
        Dispute.objects.filter(pk=dispute.pk).update(
            people_involved=people, scale=grade.scale, level=grade.level, colour=chosen
        )
        dispute.refresh_from_db()
        _record_grade(dispute, actor)
    return dispute


def reveal_party(party: Party, *, actor: User, reason: str = "") -> dict:
    """A party's unmasked name and phone; every call is written to the audit log."""
    _require(actor, party.dispute)
    PersonalDataRead.objects.create(
        user=actor,
        subject=party.dispute.case.number,
        field=f"dispute party {party.pk}",
        reason=reason[:200],
    )
    return {"name": party.name, "phone": party.phone}


# --- acceptance ----------------------------------------------------------------------


def accept(dispute: Dispute, *, actor: User, now: datetime | None = None) -> Dispute:
    """Accept for mediation: the other side must consent; the time limit starts."""
    _require(actor, dispute)
    lifecycle.check(dispute, Move.ACCEPT)
    if not dispute.other_side_consents:
        raise InvalidAction(
            _("The other side has not consented to mediation; record their consent or refuse."),
            "other_side_consents",
        )
    now = now or timezone.now()
    warn, due = mediation_window(dispute.court, now)
    lifecycle.move(
        dispute,
        Move.ACCEPT,
        actor=actor,
        fields={"accepted_at": now, "due_at": due, "warn_at": warn},
        data={"due": _day(due)},
    )
    return dispute


def record_consent(dispute: Dispute, *, actor: User) -> Dispute:
    """The other side agrees to mediation (before acceptance); once, recorded."""
    _require(actor, dispute)
    if dispute.state != DisputeState.REGISTERED:
        raise InvalidAction(_("Consent is recorded before the acceptance check."))
    with transaction.atomic():
        won = Dispute.objects.filter(
            pk=dispute.pk, state=DisputeState.REGISTERED, other_side_consents=False
        ).update(other_side_consents=True)
        if won:
            events.record(dispute.case, CONSENTED, actor=actor)
    dispute.refresh_from_db()
    return dispute


def refuse(dispute: Dispute, *, actor: User, reason: str, routes: list) -> Dispute:
    """Refuse with a reason from the list, telling the lawful routes (at least one)."""
    _require(actor, dispute)
    lifecycle.check(dispute, Move.REFUSE)
    if reason not in Refusal.values:
        raise InvalidAction(_("Choose why the dispute cannot be accepted."), "refusal")
    methods = list(ResolutionMethod.objects.filter(pk__in=[r for r in routes if str(r).isdigit()]))
    if not methods:
        raise InvalidAction(_("Tell the applicant at least one lawful route."), "routes")
    with transaction.atomic():
        lifecycle.move(
            dispute,
            Move.REFUSE,
            actor=actor,
            fields={"refusal": reason, "outcome_at": timezone.now()},
            data={"refusal": reason, "routes": [m.name for m in methods]},
        )
        dispute.routes.set(methods)
    return dispute


def mediation_window(court: str, start: datetime) -> tuple[datetime, datetime]:
    amount, unit = TIME_LIMITS[court or Court.NONE]
    due = add_limit(start, amount, unit)
    return start + (due - start) * YELLOW_AT, due


def extend(dispute: Dispute, *, actor: User, both_consent: bool, days: int = 30) -> Dispute:
    """Extend the time limit once, with the consent of both sides."""
    _require(actor, dispute)
    if dispute.state not in RUNNING:
        raise InvalidAction(_("Only a dispute being mediated can be extended."))
    if dispute.extended:
        raise InvalidAction(_("The time limit was already extended once."))
    if not both_consent:
        raise InvalidAction(_("An extension needs the consent of both sides."), "both_consent")
    if not 1 <= int(days) <= 30:
        raise InvalidAction(_("Extend by 1 to 30 days."), "days")
    if dispute.due_at is None:
        raise InvalidAction(_("Only a dispute being mediated can be extended."))
    due: datetime = dispute.due_at + timedelta(days=int(days))
    with transaction.atomic():
        won = Dispute.objects.filter(pk=dispute.pk, extended=False).update(
            extended=True, due_at=due, warn_at=dispute.due_at
        )
        if not won:
            raise InvalidAction(_("The time limit was already extended once."))
        events.record(dispute.case, EXTENDED, actor=actor, data={"due": _day(due)})
    dispute.refresh_from_db()
    return dispute


def light(dispute: Dispute, now=None) -> str:
    """The traffic light of the mediation time limit (none once it stopped running)."""
    now = now or timezone.now()
    if dispute.state in RUNNING:
        return light_at(dispute.due_at, dispute.warn_at, now)
    if dispute.state == DisputeState.AGREED and dispute.confirm_by:
        warn = dispute.confirm_by - timedelta(days=CONFIRMATION_WARN_DAYS)
        return light_at(dispute.confirm_by, warn, now)
    return Light.NONE


def confirmation_days_left(dispute: Dispute, now=None) -> int | None:
    """Days left to apply for judicial confirmation; None when no countdown runs."""
    if dispute.state != DisputeState.AGREED or dispute.confirm_by is None:
        return None
    now = now or timezone.now()
    return (timezone.localdate(dispute.confirm_by) - timezone.localdate(now)).days


# --- assignment, recusal -------------------------------------------------------------


def assign(
    dispute: Dispute,
    *,
    actor: User,
    organisation: Organisation,
    mediators: list[Mediator],
    chosen_by_parties: bool = False,
) -> Dispute:
    """Assign to an organisation and one or more of its available mediators."""
    _require(actor, dispute)
    if dispute.is_finished:
        raise InvalidAction(_("The dispute is finished; nobody can be assigned to it."))
    if organisation is None or not organisation.active:
        raise InvalidAction(_("Choose a mediation organisation."), "organisation")
    if not mediators:
        raise InvalidAction(_("Choose at least one mediator."), "mediators")
    for mediator in mediators:
        if mediator.organisation_id != organisation.pk or not mediator.available:
            raise InvalidAction(
                _("%(name)s is not an available mediator of %(organisation)s.")
                % {"name": mediator.name, "organisation": organisation.name},
                "mediators",
            )
    with transaction.atomic():
        Dispute.objects.filter(pk=dispute.pk).update(
            organisation=organisation, chosen_by_parties=chosen_by_parties
        )
        dispute.mediators.set(mediators)
        users = [m.user for m in mediators if m.user_id]
        grant_access(dispute.case, reason="mediation", actor=actor, users=users)
        # The rollup's cells of the old and the new organisation.
        refresh_after_commit(dispute, organisation.pk)
        events.record(
            dispute.case,
            ASSIGNED,
            actor=actor,
            data={"organisation": organisation.name, "mediators": [m.name for m in mediators]},
        )
    dispute.refresh_from_db()
    return dispute


def recuse(
    dispute: Dispute, *, actor: User, mediator: Mediator, replacement: Mediator, reason: str
) -> Dispute:
    """A party objects to a mediator: another one of the organisation takes over."""
    _require(actor, dispute)
    if not dispute.mediators.filter(pk=mediator.pk).exists():
        raise InvalidAction(_("That mediator is not on this dispute."), "mediator")
    if (
        replacement.pk == mediator.pk
        or replacement.organisation_id != dispute.organisation_id
        or not replacement.available
    ):
        raise InvalidAction(
            _("Choose another available mediator of the same organisation."), "replacement"
        )
    if not (reason or "").strip():
        raise InvalidAction(_("Say what the party objected to."), "reason")
    with transaction.atomic():
        dispute.mediators.remove(mediator)
        dispute.mediators.add(replacement)
        if replacement.user_id:
            grant_access(dispute.case, reason="mediation", actor=actor, users=[replacement.user])
        events.record(
            dispute.case,
            RECUSED,
            actor=actor,
            note=reason.strip()[:2000],
            data={"replaced": f"{mediator.name} → {replacement.name}"},
        )
    return dispute


# --- sessions ------------------------------------------------------------------------


def add_session(
    dispute: Dispute,
    *,
    actor: User,
    held_at: datetime,
    attendees: str,
    record: str,
    place: str = "",
    video: bool = False,
    signed: bool = False,
    scan=None,
    now: datetime | None = None,
) -> Session:
    """Log a session and its written record; the first one starts the mediation."""
    _require(actor, dispute)
    if dispute.state not in RUNNING:
        raise InvalidAction(_("Sessions are held only after acceptance and before the outcome."))
    now = now or timezone.now()
    if held_at is None or held_at > now + timedelta(minutes=5):
        raise InvalidAction(_("A session is logged after it was held, not in advance."), "held_at")
    if dispute.accepted_at and held_at < dispute.accepted_at - timedelta(days=1):
        raise InvalidAction(_("The session cannot be before the acceptance."), "held_at")
    if not place.strip() and not video:
        raise InvalidAction(_("Say where the session was held, or that it was by video."), "place")
    if not attendees.strip():
        raise InvalidAction(_("List who attended."), "attendees")
    if not record.strip():
        raise InvalidAction(_("Write the record of the session."), "record")
    # Checking and cleaning a scan costs CPU: before the transaction, not inside it.
    checked = case_services.checked_files([scan])[0] if scan else None
    signed = bool(signed or scan)
    with transaction.atomic():
        if dispute.state == DisputeState.ACCEPTED:
            lifecycle.move(dispute, Move.START, actor=actor)
        event = events.record(
            dispute.case,
            SESSION,
            actor=actor,
            data={"held_at": held_at.astimezone().strftime("%Y-%m-%d %H:%M")},
        )
        session = Session.objects.create(
            dispute=dispute,
            held_at=held_at,
            place=place.strip()[:120],
            video=video,
            attendees=attendees.strip()[:2000],
            record=record.strip()[:20000],
            signed=signed,
            signed_by=actor if signed else None,
            signed_at=now if signed else None,
            signed_scan=(
                case_services.attach(dispute.case, checked, actor=actor, event=event)
                if checked
                else None
            ),
        )
    return session


# --- outcomes ------------------------------------------------------------------------


@dataclass
class ObligationInput:
    who: str
    what: str
    due_on: date


def agree(
    dispute: Dispute,
    *,
    actor: User,
    facts: str,
    obligations: list[ObligationInput],
    signed: bool,
    now: datetime | None = None,
) -> Dispute:
    """A written agreement: facts, obligations with dates, signed; the confirmation
    countdown (30 days) starts."""
    _require(actor, dispute)
    lifecycle.check(dispute, Move.AGREE)
    now = now or timezone.now()
    if not (facts or "").strip():
        raise InvalidAction(_("State the facts the parties agree on."), "facts")
    obligations = [o for o in obligations if o.who.strip() or o.what.strip()]
    if not obligations:
        raise InvalidAction(_("An agreement states at least one obligation."), "obligations")
    for o in obligations:
        if not o.who.strip() or not o.what.strip() or o.due_on is None:
            raise InvalidAction(
                _("Each obligation needs who, what and a performance date."), "obligations"
            )
        if o.due_on < timezone.localdate(now):
            raise InvalidAction(_("A performance date cannot be in the past."), "obligations")
        if o.due_on > timezone.localdate(now) + timedelta(days=MAX_PERFORMANCE_DAYS):
            raise InvalidAction(
                _("A performance date is at most five years after the agreement."), "obligations"
            )
    if not signed:
        raise InvalidAction(_("The agreement must be signed by the parties."), "signed")
    confirm_by = now + timedelta(days=CONFIRMATION_DAYS)
    with transaction.atomic():
        lifecycle.move(
            dispute,
            Move.AGREE,
            actor=actor,
            fields={"facts": facts.strip()[:20000], "outcome_at": now, "confirm_by": confirm_by},
            data={"confirm_by": _day(confirm_by)},
        )
        Obligation.objects.bulk_create(
            Obligation(
                dispute=dispute, who=o.who.strip()[:80], what=o.what.strip(), due_on=o.due_on
            )
            for o in obligations
        )
    return dispute


def agree_orally(dispute: Dispute, *, actor: User, facts: str) -> Dispute:
    """An oral agreement, recorded with what was agreed."""
    _require(actor, dispute)
    lifecycle.check(dispute, Move.AGREE_ORALLY)
    if not (facts or "").strip():
        raise InvalidAction(_("Record what was agreed orally."), "facts")
    return lifecycle.move(
        dispute,
        Move.AGREE_ORALLY,
        actor=actor,
        fields={"facts": facts.strip()[:20000], "outcome_at": timezone.now()},
    )


def fail(dispute: Dispute, *, actor: User, reason: str, routes: list) -> Dispute:
    """Mediation failed: the reason, and the lawful routes told to the parties."""
    _require(actor, dispute)
    lifecycle.check(dispute, Move.FAIL)
    if not (reason or "").strip():
        raise InvalidAction(_("Say why the mediation failed."), "reason")
    methods = list(ResolutionMethod.objects.filter(pk__in=[r for r in routes if str(r).isdigit()]))
    if not methods:
        raise InvalidAction(_("Tell the parties at least one lawful route."), "routes")
    with transaction.atomic():
        lifecycle.move(
            dispute,
            Move.FAIL,
            actor=actor,
            fields={"failure_reason": reason.strip()[:4000], "outcome_at": timezone.now()},
            data={"routes": [m.name for m in methods]},
        )
        dispute.routes.set(methods)
    return dispute


def apply_confirmation(dispute: Dispute, *, actor: User, now=None) -> Dispute:
    """The parties applied jointly for judicial confirmation, within the 30 days."""
    _require(actor, dispute)
    lifecycle.check(dispute, Move.APPLY_CONFIRMATION)
    now = now or timezone.now()
    if dispute.confirm_by and now > dispute.confirm_by:
        raise InvalidAction(
            _("The 30 days for judicial confirmation have passed; notarise or re-mediate.")
        )
    return lifecycle.move(
        dispute, Move.APPLY_CONFIRMATION, actor=actor, fields={"confirmation_applied_at": now}
    )


def perform(dispute: Dispute, *, actor: User) -> Dispute:
    """The agreement is performed: each obligation's follow-up found it performed
    (``aftercare.follow_up``); an oral agreement has none."""
    _require(actor, dispute)
    lifecycle.check(dispute, Move.PERFORM)
    missing = list(dispute.obligations.filter(superseded=False, performed_on__isnull=True))
    if missing:
        raise InvalidAction(
            _("Not every obligation is performed yet: %(list)s.")
            % {"list": "；".join(f"{o.who}: {o.what[:30]}" for o in missing)},
            "obligations",
        )
    return lifecycle.move(dispute, Move.PERFORM, actor=actor)


def close(
    dispute: Dispute,
    *,
    actor: User,
    note: str = "",
    prevented_criminal: bool = False,
    prevented_group_petition: bool = False,
) -> Dispute:
    """Close; the mediator says whether the mediation prevented the dispute from turning
    criminal (防止民转刑) or into a group petition (the statistics count both)."""
    _require(actor, dispute)
    return lifecycle.move(
        dispute,
        Move.CLOSE,
        actor=actor,
        note=note.strip()[:2000],
        fields={
            "prevented_criminal": bool(prevented_criminal),
            "prevented_group_petition": bool(prevented_group_petition),
        },
    )


def refer(
    dispute: Dispute, *, actor: User, to: str, note: str, department: Department | None = None
) -> Dispute:
    """The green channel after a failure: to the court (priority filing), or to the
    responsible department — which is an ordinary dispatch of the same case."""
    _require(actor, dispute)
    lifecycle.check(dispute, Move.REFER)
    if not (note or "").strip():
        raise InvalidAction(_("Say what the court or department is asked to do."), "note")
    if to not in ("court", "department"):
        raise InvalidAction(_("Choose the court or a department."), "to")
    with transaction.atomic():
        if to == "department":
            if department is None or not department.active:
                raise InvalidAction(_("Choose the responsible department."), "department")
            case = Case.objects.select_for_update().get(pk=dispute.case_id)
            if case.status != Status.REGISTERED:
                raise InvalidAction(
                    _("The case is already with a department; the centre follows it there.")
                )
            # The mediator is not a dispatcher: the system dispatches on the green channel.
            case_lifecycle.apply(
                case,
                case_lifecycle.Action.DISPATCH,
                actor=None,
                note=note.strip(),
                main_department=department,
            )
        lifecycle.move(
            dispute,
            Move.REFER,
            actor=actor,
            note=note.strip()[:2000],
            fields={},
            data={
                "organisation": department.name if to == "department" and department else _("court")
            },
        )
    return dispute


def _day(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")
