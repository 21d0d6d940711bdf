"""The lists of mediation: a mediator's disputes, and the centre leader's risk board."""

from django.db.models import QuerySet
from django.utils import timezone

from .models import COLOUR_RANK, FINISHED, OFF_THE_BOARD, Dispute
from .services import visible_disputes

COLOUR_ORDER = COLOUR_RANK


def my_disputes(user) -> QuerySet[Dispute]:
    """The disputes the user works on, still open, the nearest deadline first."""
    return (
        visible_disputes(user)
        .exclude(state__in=FINISHED)
        .prefetch_related("mediators")
        .order_by("due_at", "-registered_at")
    )


def risk_board(user) -> QuerySet[Dispute]:
    """Open disputes, red then orange then yellow, and within a colour the nearest deadline
    (mediation limit or judicial-confirmation date) first."""
    return (
        visible_disputes(user)
        .exclude(state__in=OFF_THE_BOARD)
        .annotate(colour_rank=COLOUR_ORDER)
        .order_by("colour_rank", "due_at", "confirm_by", "-registered_at")
    )


def now():
    return timezone.now()
