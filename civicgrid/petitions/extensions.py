"""What petitions learns from the apps beside it, filled by the project wiring.

Petitions may not import mediation (one floor): whether a petition's case is also a
dispute in mediation is asked through ``has_dispute``, which the wiring fills.
"""

from collections.abc import Callable
from typing import Any

_dispute_lookups: list[Callable[[Any], bool]] = []


def register_dispute_lookup(lookup: Callable[[Any], bool]) -> None:
    """``lookup(case)``: whether the case is a dispute handed over to mediation."""
    _dispute_lookups[:] = [lookup]


def has_dispute(case) -> bool:
    return bool(_dispute_lookups and _dispute_lookups[0](case))
