"""The petition's own states: one table, ``TRANSITIONS``, and one entry point, ``move``.

As in ``cases.lifecycle`` and ``mediation.lifecycle``: a move not in the table is refused
with a clear message, the update is conditional on the version read (of two officers
deciding at once, one wins, the other gets ``ConcurrentUpdate``), and every move is
recorded as a case event.
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
from .models import Petition, PetitionState


class PetitionMove(models.TextChoices):
    ACCEPT = "accept", gettext_lazy("accept the petition")
    REFUSE = "refuse", gettext_lazy("do not accept, telling the lawful route")
    START = "start", gettext_lazy("start handling")
    REPLY = "reply", gettext_lazy("give the handling opinion")
    REQUEST_REVIEW = "request_review", gettext_lazy("the petitioner asks for a review")
    REVIEW = "review", gettext_lazy("give the review opinion")
    CLOSE = "close", gettext_lazy("close the petition")


S, M = PetitionState, PetitionMove

# (state, move) → new state. No opinion before acceptance, nothing after closing.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.REGISTERED, M.ACCEPT): S.ACCEPTED,
    (S.REGISTERED, M.REFUSE): S.NOT_ACCEPTED,
    (S.ACCEPTED, M.START): S.HANDLING,
    (S.HANDLING, M.REPLY): S.REPLIED,
    (S.REPLIED, M.CLOSE): S.CLOSED,
    (S.REPLIED, M.REQUEST_REVIEW): S.REVIEWING,
    (S.REVIEWING, M.REVIEW): S.REVIEWED,
    (S.REVIEWED, M.CLOSE): S.CLOSED,
    (S.NOT_ACCEPTED, M.CLOSE): S.CLOSED,
}


def allowed_moves(state: str) -> list[str]:
    return [move for (s, move) in TRANSITIONS if s == state]


def check(petition: Petition, move: str) -> str:
    """The state ``move`` leads to from the petition's state; refused when not in the table."""
    if move not in PetitionMove.values:
        raise TransitionNotAllowed(_("Unknown petition move."))
    try:
        return TRANSITIONS[(petition.state, move)]
    except KeyError:
        raise TransitionNotAllowed(
            _("A petition that is “%(state)s” cannot be “%(move)s”.")
            % {"state": petition.get_state_display(), "move": PetitionMove(move).label}
        ) from None


def move(
    petition: Petition, move: str, *, actor: Actor, note: str = "", fields=None, data=None
) -> Petition:
    """Take ``move`` if nobody moved the petition since it was read; record it on the case."""
    new_state = check(petition, move)
    with transaction.atomic():
        won = Petition.objects.filter(
            pk=petition.pk, state=petition.state, version=petition.version
        ).update(state=new_state, version=F("version") + 1, **dict(fields or {}))
        if not won:
            raise ConcurrentUpdate(
                _("Someone else changed this petition a moment ago; reload and try again.")
            )
        case_events.record(
            petition.case,
            MOVED,
            actor=actor,
            note=note,
            data={"move": str(move), "state": str(new_state), **(data or {})},
            at=timezone.now(),
        )
    petition.refresh_from_db()
    return petition
