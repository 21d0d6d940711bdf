"""The dispute's own states: one table, ``TRANSITIONS``, and one entry point, ``move``.

Like ``cases.lifecycle``: a move not in the table is refused with a clear message, the
update is conditional on the version read (of two mediators racing, one wins and the
other gets ``ConcurrentUpdate``), and the move is recorded as a case event.
"""

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.actor import Actor
from civicgrid.cases import events as case_events
from civicgrid.cases.lifecycle import ConcurrentUpdate, TransitionNotAllowed

from .events import MOVED
from .models import Dispute, DisputeState


class Move(models.TextChoices):
    ACCEPT = "accept", gettext_lazy("accept for mediation")
    REFUSE = "refuse", gettext_lazy("refuse, telling the lawful routes")
    START = "start", gettext_lazy("start mediating")
    AGREE = "agree", gettext_lazy("written agreement")
    AGREE_ORALLY = "agree_orally", gettext_lazy("oral agreement")
    FAIL = "fail", gettext_lazy("mediation failed")
    APPLY_CONFIRMATION = "apply_confirmation", gettext_lazy("apply for judicial confirmation")
    PERFORM = "perform", gettext_lazy("agreement performed")
    REFER = "refer", gettext_lazy("green channel: refer to court or department")
    CLOSE = "close", gettext_lazy("close the dispute")
    CONFIRM = "confirm", gettext_lazy("judicial confirmation granted")
    REJECT_CONFIRMATION = "reject_confirmation", gettext_lazy("judicial confirmation rejected")
    NOTARISE = "notarise", gettext_lazy("notarise the agreement")
    REMEDIATE = "remediate", gettext_lazy("mediate again (agreement not performed)")


S, M = DisputeState, Move

# (state, move) → new state. No agreement before acceptance, no confirmation after failure.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.REGISTERED, M.ACCEPT): S.ACCEPTED,
    (S.REGISTERED, M.REFUSE): S.REFUSED,
    (S.ACCEPTED, M.START): S.MEDIATING,
    (S.MEDIATING, M.AGREE): S.AGREED,
    (S.MEDIATING, M.AGREE_ORALLY): S.AGREED_ORALLY,
    (S.MEDIATING, M.FAIL): S.FAILED,
    (S.AGREED, M.APPLY_CONFIRMATION): S.CONFIRMING,
    (S.AGREED, M.PERFORM): S.PERFORMED,
    (S.AGREED_ORALLY, M.PERFORM): S.PERFORMED,
    (S.CONFIRMING, M.PERFORM): S.PERFORMED,
    (S.FAILED, M.REFER): S.REFERRED,
    (S.FAILED, M.CLOSE): S.CLOSED,
    (S.PERFORMED, M.CLOSE): S.CLOSED,
    # After a written agreement (mediation.aftercare): the court's ruling on the joint
    # application, or a notary instead; performance; re-mediation when not performed.
    (S.CONFIRMING, M.CONFIRM): S.CONFIRMED,
    (S.CONFIRMING, M.REJECT_CONFIRMATION): S.AGREED,
    (S.AGREED, M.NOTARISE): S.NOTARISED,
    (S.CONFIRMED, M.PERFORM): S.PERFORMED,
    (S.NOTARISED, M.PERFORM): S.PERFORMED,
    (S.AGREED, M.REMEDIATE): S.MEDIATING,
    (S.AGREED_ORALLY, M.REMEDIATE): S.MEDIATING,
    (S.CONFIRMING, M.REMEDIATE): S.MEDIATING,
    (S.CONFIRMED, M.REMEDIATE): S.MEDIATING,
    (S.NOTARISED, M.REMEDIATE): S.MEDIATING,
}

# States after an agreement and before its performance: follow-ups are recorded here.
AFTER_AGREEMENT = (S.AGREED, S.AGREED_ORALLY, S.CONFIRMING, S.CONFIRMED, S.NOTARISED)


def allowed_moves(state: str) -> list[str]:
    return [move for (s, move) in TRANSITIONS if s == state]


def check(dispute: Dispute, move: str) -> str:
    """The state ``move`` leads to from the dispute's state; refused when not in the table."""
    try:
        return TRANSITIONS[(dispute.state, move)]
    except KeyError:
        raise TransitionNotAllowed(
            _("A dispute that is “%(state)s” cannot be “%(move)s”.")
            % {"state": dispute.get_state_display(), "move": Move(move).label}
        ) from None


def move(
    dispute: Dispute, move: str, *, actor: Actor, note: str = "", fields=None, data=None
) -> Dispute:
    """Take ``move``: update the dispute if nobody moved it since it was read, and record
    the move on its case. Call inside the caller's transaction with its other writes."""
    new_state = check(dispute, move)
    fields = dict(fields or {})
    with transaction.atomic():
        won = Dispute.objects.filter(
            pk=dispute.pk, state=dispute.state, version=dispute.version
        ).update(state=new_state, version=F("version") + 1, **fields)
        if not won:
            raise ConcurrentUpdate(
                _("Someone else changed this dispute a moment ago; reload and try again.")
            )
        case_events.record(
            dispute.case,
            MOVED,
            actor=actor,
            note=note,
            data={"move": str(move), "state": str(new_state), **(data or {})},
            at=timezone.now(),
        )
    dispute.refresh_from_db()
    # The statistics' monthly rollup follows every move (after the commit).
    from .statistics import refresh_after_commit

    refresh_after_commit(dispute)
    return dispute
