"""After the agreement: judicial confirmation (司法确认) or notarisation (公证), the
follow-up of each obligation on its date, the callback (回访) to the parties, the
re-mediation of an agreement not performed, and the anonymised publication of a
resolved dispute with every party's consent.

Like ``mediation.services``: each function takes ``*, actor``, checks who may act and
what the dispute table allows (``mediation.lifecycle``), refuses bad input with a clear
message before writing anything, writes in one transaction and records a case event.

Statutes: 人民调解法 第三十一条 (an agreement binds the parties), 第三十三条 (joint
application for judicial confirmation within 30 days of the agreement's taking effect;
rejected → change it by mediation, make a new one, or sue); 民事诉讼法 第十五章第六节
(the special procedure for confirming mediation agreements); 公证法 (notarisation).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.cases import events
from civicgrid.cases.lifecycle import InvalidAction
from civicgrid.regions.models import Level, Region

from . import lifecycle, services
from .events import CALLED_BACK, FOLLOWED_UP, MOVED, PUBLICATION_CONSENT, PUBLISHED
from .lifecycle import AFTER_AGREEMENT, Move
from .models import Dispute, DisputeState, Obligation, Party
from .records import (
    Callback,
    Confirmation,
    ConfirmationKind,
    FollowUp,
    FollowUpResult,
    Publication,
    PublicationConsent,
    PublishedOutcome,
    Ruling,
    Satisfaction,
)

MAX_NOTE = 2000
# How far back a date may be recorded (a follow-up, a callback, a ruling): a year.
MAX_BACK_DAYS = 366


def _today(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now())


def _agreed_on(dispute: Dispute) -> date:
    return timezone.localdate(dispute.outcome_at) if dispute.outcome_at else _today()


def _check_date(
    value: date | None, field: str, *, not_before: date, today: date, what: str
) -> date:
    """A date that happened: not in the future, not before ``not_before``."""
    if not isinstance(value, date):
        raise InvalidAction(_("Give the date of the %(what)s.") % {"what": what}, field)
    if value > today:
        raise InvalidAction(
            _("The date of the %(what)s cannot be in the future.") % {"what": what}, field
        )
    if value < not_before or value < today - timedelta(days=MAX_BACK_DAYS):
        raise InvalidAction(
            _("The date of the %(what)s cannot be before %(day)s.")
            % {"what": what, "day": max(not_before, today - timedelta(days=MAX_BACK_DAYS))},
            field,
        )
    return value


def _text(value: str, field: str, message: str, *, required: bool = True, limit=MAX_NOTE) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidAction(message, field)
    if len(value) > limit:
        raise InvalidAction(_("At most %(limit)s characters.") % {"limit": limit}, field)
    return value


def _fresh(dispute: Dispute) -> Dispute:
    """The dispute as stored, locked for this transaction (for checks against races)."""
    return Dispute.objects.select_for_update().select_related("case").get(pk=dispute.pk)


# --- judicial confirmation and notarisation ------------------------------------------


def open_obligations(dispute: Dispute) -> QuerySet[Obligation]:
    """The obligations of the agreement in force (not replaced by a re-mediation)."""
    return dispute.obligations.filter(superseded=False)


def confirmation_warning(dispute: Dispute, now: datetime | None = None) -> str:
    """The colour of the judicial-confirmation countdown: "" (none running or plenty of
    time), "orange" (7 days or fewer left), "red" (the 30 days are over)."""
    left = services.confirmation_days_left(dispute, now)
    if left is None or dispute.confirmations.filter(kind=ConfirmationKind.JUDICIAL).exists():
        return ""
    if left < 0:
        return "red"
    if left <= services.CONFIRMATION_WARN_DAYS:
        return "orange"
    return ""


def apply_for_confirmation(
    dispute: Dispute,
    *,
    actor: User,
    court: str,
    applied_on: date | None,
    now: datetime | None = None,
) -> Confirmation:
    """The parties applied jointly to ``court`` for judicial confirmation (人民调解法
    第三十三条): within 30 days of the agreement, once (a rejection is final)."""
    services._require(actor, dispute)
    lifecycle.check(dispute, Move.APPLY_CONFIRMATION)
    today = _today(now)
    court = _text(court, "court", _("Name the court the parties applied to."), limit=120)
    applied_on = _check_date(
        applied_on, "applied_on", not_before=_agreed_on(dispute), today=today, what=_("application")
    )
    if dispute.confirm_by and applied_on > timezone.localdate(dispute.confirm_by):
        raise InvalidAction(
            _("The 30 days for judicial confirmation have passed; notarise or re-mediate."),
            "applied_on",
        )
    if dispute.confirmations.filter(kind=ConfirmationKind.JUDICIAL).exists():
        raise InvalidAction(
            _("The court has already ruled on this agreement; re-mediate or go to court.")
        )
    if not open_obligations(dispute).exists():
        raise InvalidAction(_("Only a written agreement with obligations can be confirmed."))
    with transaction.atomic():
        lifecycle.move(
            dispute,
            Move.APPLY_CONFIRMATION,
            actor=actor,
            fields={"confirmation_applied_at": now or timezone.now()},
            data={"kind": ConfirmationKind.JUDICIAL, "body": court, "on": str(applied_on)},
        )
        return Confirmation.objects.create(
            dispute=dispute,
            kind=ConfirmationKind.JUDICIAL,
            body=court,
            applied_on=applied_on,
            recorded_by=actor,
        )


def record_ruling(
    dispute: Dispute,
    *,
    actor: User,
    ruling: str,
    ruled_on: date | None,
    reference: str = "",
    now: datetime | None = None,
) -> Confirmation:
    """The court's ruling on the application: confirmed (the agreement can be enforced)
    or rejected (back to an agreement without confirmation: perform, or re-mediate)."""
    services._require(actor, dispute)
    if ruling not in (Ruling.CONFIRMED, Ruling.REJECTED):
        raise InvalidAction(_("Choose the court's ruling."), "ruling")
    move = Move.CONFIRM if ruling == Ruling.CONFIRMED else Move.REJECT_CONFIRMATION
    lifecycle.check(dispute, move)
    with transaction.atomic():
        application = (
            Confirmation.objects.select_for_update()
            .filter(dispute=dispute, kind=ConfirmationKind.JUDICIAL, ruling=Ruling.PENDING)
            .first()
        )
        applied_on = application.applied_on if application else _agreed_on(dispute)
        ruled_on = _check_date(
            ruled_on, "ruled_on", not_before=applied_on, today=_today(now), what=_("ruling")
        )
        reference = _text(reference, "reference", "", required=False, limit=60)
        if ruling == Ruling.CONFIRMED and not reference:
            raise InvalidAction(_("Give the number of the court's ruling."), "reference")
        if application is None:  # applied for with the one-click move: no court named
            application = Confirmation.objects.create(
                dispute=dispute,
                kind=ConfirmationKind.JUDICIAL,
                body=_("court"),
                applied_on=applied_on,
                recorded_by=actor,
            )
        application.ruling = ruling
        application.ruled_on = ruled_on
        application.reference = reference
        application.save(update_fields=["ruling", "ruled_on", "reference"])
        lifecycle.move(
            dispute,
            move,
            actor=actor,
            data={"ruling": ruling, "reference": reference, "on": str(ruled_on)},
        )
    return application


def notarise(
    dispute: Dispute,
    *,
    actor: User,
    office: str,
    notarised_on: date | None,
    certificate: str,
    now: datetime | None = None,
) -> Confirmation:
    """The agreement was notarised instead (公证法): office, date, certificate number."""
    services._require(actor, dispute)
    lifecycle.check(dispute, Move.NOTARISE)
    office = _text(office, "office", _("Name the notary office."), limit=120)
    certificate = _text(
        certificate, "certificate", _("Give the number of the notarial certificate."), limit=60
    )
    notarised_on = _check_date(
        notarised_on,
        "notarised_on",
        not_before=_agreed_on(dispute),
        today=_today(now),
        what=_("notarisation"),
    )
    if not open_obligations(dispute).exists():
        raise InvalidAction(_("Only a written agreement with obligations can be confirmed."))
    with transaction.atomic():
        lifecycle.move(
            dispute,
            Move.NOTARISE,
            actor=actor,
            data={
                "kind": ConfirmationKind.NOTARIAL,
                "body": office,
                "reference": certificate,
                "on": str(notarised_on),
            },
        )
        return Confirmation.objects.create(
            dispute=dispute,
            kind=ConfirmationKind.NOTARIAL,
            body=office,
            applied_on=notarised_on,
            ruling=Ruling.CONFIRMED,
            ruled_on=notarised_on,
            reference=certificate,
            recorded_by=actor,
        )


# --- performance ---------------------------------------------------------------------


def follow_up(
    obligation: Obligation,
    *,
    actor: User,
    result: str,
    on: date | None,
    note: str = "",
    now: datetime | None = None,
) -> FollowUp:
    """What the follow-up of one obligation found: performed (its date is recorded),
    partly or not performed (a note says what is missing)."""
    dispute = obligation.dispute
    services._require(actor, dispute)
    if result not in FollowUpResult.values:
        raise InvalidAction(_("Choose what the follow-up found."), "result")
    note = _text(
        note,
        "note",
        _("Say what was not performed."),
        required=result != FollowUpResult.PERFORMED,
    )
    with transaction.atomic():
        dispute = _fresh(dispute)
        if dispute.state not in AFTER_AGREEMENT:
            raise InvalidAction(
                _("Performance is followed up after an agreement and before it is performed.")
            )
        locked = Obligation.objects.select_for_update().get(pk=obligation.pk)
        if locked.superseded:
            raise InvalidAction(_("This obligation was replaced by a re-mediation."))
        if locked.performed_on:
            raise InvalidAction(_("This obligation is already performed."))
        on = _check_date(
            on, "on", not_before=_agreed_on(dispute), today=_today(now), what=_("follow-up")
        )
        record = FollowUp.objects.create(
            obligation=locked, result=result, on=on, note=note, recorded_by=actor
        )
        if result == FollowUpResult.PERFORMED:
            locked.performed_on = on
            locked.save(update_fields=["performed_on"])
        events.record(
            dispute.case,
            FOLLOWED_UP,
            actor=actor,
            note=note,
            data={
                "obligation": f"{locked.who}: {locked.what[:40]}",
                "result": result,
                "on": str(on),
            },
        )
    obligation.refresh_from_db()
    return record


def unperformed(dispute: Dispute) -> list[Obligation]:
    return list(open_obligations(dispute).filter(performed_on__isnull=True))


def overdue_obligations(disputes: QuerySet[Dispute], today: date | None = None) -> QuerySet:
    """Obligations whose follow-up is due (their date has come) and not recorded since,
    of disputes still waiting for performance."""
    today = today or _today()
    since_due = FollowUp.objects.filter(obligation=OuterRef("pk"), on__gte=OuterRef("due_on"))
    return Obligation.objects.filter(
        dispute__in=disputes.filter(state__in=AFTER_AGREEMENT),
        superseded=False,
        performed_on__isnull=True,
        due_on__lt=today,
    ).exclude(Exists(since_due))


def remediate(
    dispute: Dispute, *, actor: User, reason: str, now: datetime | None = None
) -> Dispute:
    """The agreement is not performed: mediate again (再次调解). The old obligations and
    their follow-ups stay as history; a new mediation time limit starts."""
    services._require(actor, dispute)
    lifecycle.check(dispute, Move.REMEDIATE)
    reason = _text(reason, "reason", _("Say why the dispute is mediated again."))
    now = now or timezone.now()
    obligations = open_obligations(dispute)
    if obligations.exists():
        missed = obligations.filter(
            Q(follow_ups__result__in=(FollowUpResult.PARTLY, FollowUpResult.NOT_PERFORMED))
            | Q(due_on__lt=_today(now), performed_on__isnull=True)
        )
        if not missed.exists():
            raise InvalidAction(
                _(
                    "Re-mediation is for an agreement not performed: record a follow-up that "
                    "found an obligation not (fully) performed first."
                )
            )
    warn, due = services.mediation_window(dispute.court, now)
    count = remediation_count(dispute) + 1
    with transaction.atomic():
        lifecycle.move(
            dispute,
            Move.REMEDIATE,
            actor=actor,
            note=reason,
            fields={"due_at": due, "warn_at": warn, "confirm_by": None, "outcome_at": None},
            data={"remediation": str(count), "due": services._day(due)},
        )
        obligations.update(superseded=True)
    return dispute


def remediation_count(dispute: Dispute) -> int:
    return dispute.case.events.filter(action=MOVED, data__move=Move.REMEDIATE).count()


# --- callback ------------------------------------------------------------------------


def is_resolved(dispute: Dispute) -> bool:
    """Performed (and perhaps closed since): a resolved dispute."""
    if dispute.state == DisputeState.PERFORMED:
        return True
    return (
        dispute.state == DisputeState.CLOSED
        and dispute.case.events.filter(action=MOVED, data__move=Move.PERFORM).exists()
    )


def call_back(
    dispute: Dispute,
    *,
    actor: User,
    satisfaction: str,
    on: date | None,
    note: str = "",
    party: Party | None = None,
    now: datetime | None = None,
) -> Callback:
    """A callback to the parties (or one of them) after performance."""
    services._require(actor, dispute)
    if not is_resolved(dispute):
        raise InvalidAction(_("The parties are called back after the agreement is performed."))
    if satisfaction not in Satisfaction.values:
        raise InvalidAction(_("Choose how satisfied the parties are."), "satisfaction")
    if party is not None and party.dispute_id != dispute.pk:
        raise InvalidAction(_("That party is not of this dispute."), "party")
    note = _text(
        note,
        "note",
        _("Say what the dissatisfied party said."),
        required=satisfaction == Satisfaction.DISSATISFIED,
    )
    on = _check_date(
        on, "on", not_before=_agreed_on(dispute), today=_today(now), what=_("callback")
    )
    with transaction.atomic():
        callback = Callback.objects.create(
            dispute=dispute,
            party=party,
            satisfaction=satisfaction,
            on=on,
            note=note,
            recorded_by=actor,
        )
        events.record(
            dispute.case,
            CALLED_BACK,
            actor=actor,
            note=note,
            data={"satisfaction": satisfaction, "on": str(on)},
        )
    return callback


def satisfaction_of(dispute: Dispute) -> str | None:
    """The parties' satisfaction: the least satisfied answer of the callbacks."""
    answers = set(dispute.callbacks.values_list("satisfaction", flat=True))
    for level in (Satisfaction.DISSATISFIED, Satisfaction.BASICALLY, Satisfaction.SATISFIED):
        if level in answers:
            return level
    return None


# --- publication ---------------------------------------------------------------------


def record_publication_consent(party: Party, *, actor: User, consented: bool) -> PublicationConsent:
    """One party's yes or no to publishing the resolved dispute anonymised."""
    dispute = party.dispute
    services._require(actor, dispute)
    if hasattr(dispute, "publication"):
        raise InvalidAction(_("The dispute is already published."))
    with transaction.atomic():
        consent, _created = PublicationConsent.objects.update_or_create(
            party=party, defaults={"consented": bool(consented), "recorded_by": actor}
        )
        events.record(
            dispute.case,
            PUBLICATION_CONSENT,
            actor=actor,
            data={"side": party.side, "consent": bool(consented)},
        )
    return consent


def publish(dispute: Dispute, *, actor: User) -> Publication:
    """Publish a resolved dispute anonymised: type, month, district and street, outcome
    and callback satisfaction — with the consent of every party, after a callback."""
    services._require(actor, dispute)
    with transaction.atomic():
        dispute = _fresh(dispute)
        if Publication.objects.filter(dispute=dispute).exists():
            raise InvalidAction(_("The dispute is already published."))
        if not is_resolved(dispute):
            raise InvalidAction(_("Only a resolved dispute (agreement performed) is published."))
        parties = list(dispute.parties.select_related("publication_consent"))
        if not parties:
            raise InvalidAction(_("Record the parties and their consent first."))
        missing = [
            p
            for p in parties
            if not (hasattr(p, "publication_consent") and p.publication_consent.consented)
        ]
        if missing:
            raise InvalidAction(
                _("Every party must consent to publication; missing: %(sides)s.")
                % {"sides": "、".join(f"{p.get_side_display()} {p.masked_name}" for p in missing)},
                "consent",
            )
        satisfaction = satisfaction_of(dispute)
        if satisfaction is None:
            raise InvalidAction(_("Call the parties back before publishing."))
        district, street = _district_and_street(dispute)
        kind = dispute.type
        publication = Publication.objects.create(
            dispute=dispute,
            type_name=f"{kind.parent.name} / {kind.name}" if kind.parent else kind.name,
            month=timezone.localtime(_performed_at(dispute)).strftime("%Y-%m"),
            district=district,
            street=street,
            outcome=_outcome(dispute),
            satisfaction=satisfaction,
            published_by=actor,
        )
        events.record(dispute.case, PUBLISHED, actor=actor, data={"satisfaction": satisfaction})
    return publication


def _performed_at(dispute: Dispute) -> datetime:
    moved = (
        dispute.case.events.filter(action=MOVED, data__move=Move.PERFORM).order_by("-at").first()
    )
    return moved.at if moved else timezone.now()


def _outcome(dispute: Dispute) -> str:
    confirmed = dispute.confirmations.filter(ruling=Ruling.CONFIRMED).first()
    if confirmed is None:
        return PublishedOutcome.PERFORMED
    if confirmed.kind == ConfirmationKind.JUDICIAL:
        return PublishedOutcome.CONFIRMED
    return PublishedOutcome.NOTARISED


def _district_and_street(dispute: Dispute) -> tuple[str, str]:
    codes = [code for code in dispute.case.region_path.split("/") if code]
    names = dict(
        Region.objects.filter(code__in=codes, level__in=(Level.DISTRICT, Level.STREET)).values_list(
            "level", "name"
        )
    )
    return names.get(Level.DISTRICT, ""), names.get(Level.STREET, "")


@dataclass(frozen=True)
class Summary:
    published: int
    satisfied: int
    basically: int
    dissatisfied: int

    @property
    def satisfied_rate(self) -> float | None:
        """Satisfied or basically satisfied, of all published (Zhangye's "100 % 满意")."""
        if not self.published:
            return None
        return round(100 * (self.satisfied + self.basically) / self.published, 1)


def publication_summary() -> Summary:
    counts = Publication.objects.aggregate(
        published=Count("pk"),
        satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basically=Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        dissatisfied=Count("pk", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
    )
    return Summary(**counts)
