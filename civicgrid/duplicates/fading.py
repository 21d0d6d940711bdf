"""How a hot issue's heat fades: every person's weight halves each ``HALF_LIFE_DAYS``.

All weights fade by the same factor, so an issue's heat at a later moment is its stored
heat × 0.5^(elapsed / half-life): it is stored as at its last refresh and brought to the
moment it is shown. ``rank`` — log2(heat) + (moment − ``EPOCH``) / half-life — is the same
at every moment, so issues stored at different moments are ordered by it in SQL.
(Light on purpose: the models import it.)
"""

import math
from datetime import UTC, datetime

HALF_LIFE_DAYS = 7
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def decay(at: datetime, now: datetime) -> float:
    """What a weight of 1 at ``at`` has faded to at ``now``."""
    age = max(0.0, (now - at).total_seconds()) / 86400
    return 0.5 ** (age / HALF_LIFE_DAYS)


def faded(value: float, at: datetime, now: datetime) -> float:
    """A heat of ``value`` as at ``at``, brought to ``now``."""
    return value * decay(at, now)


def rank(value: float, at: datetime) -> float:
    """Where a heat of ``value`` as at ``at`` stands among heats stored at other moments."""
    if value <= 0:
        return -1e9
    return math.log2(value) + (at - EPOCH).total_seconds() / 86400 / HALF_LIFE_DAYS
