"""Which cases are published at all: by channel, request type and category.

A case is published when its channel was a door into the open (``CHANNELS``), it is
not a report (举报), and its category (or any ancestor) is not marked ``never_public``.
Anything else never leaves through a public door, not even as a number in a list.
"""

from django.db.models import Q, QuerySet

from civicgrid.routing import catalogue
from civicgrid.routing.models import RequestType

from ..models import Case, Channel

NEVER = "never"  # not published at all
TITLE = "title"  # published; its text is the title (written by staff or a machine)
TEXT = "text"  # published; its text is what the reporter wrote for the public

# Every channel, decided. A channel missing here is never published (and fails
# tests/test_public_output.py, which walks ``Channel``).
CHANNELS: dict[str, str] = {
    # Citizens writing on a public form or app that says their report is published.
    Channel.CITIZEN: TEXT,
    Channel.WEB: TEXT,
    Channel.OPEN311: TEXT,
    # About public space, written by a grid worker or a sensor platform: the title,
    # because the text was written for colleagues, not for the public.
    Channel.GRID_PATROL: TITLE,
    Channel.SENSOR: TITLE,
    # Private conversations: callers (12345, 110) and visitors to the window never
    # agreed to publication, and they speak of themselves, their families, neighbours.
    Channel.HOTLINE: NEVER,
    Channel.POLICE_DIVERSION: NEVER,
    Channel.WALK_IN: NEVER,
    # Another system's cases: we cannot know what its people were told.
    Channel.API: NEVER,
}
PUBLISHED_CHANNELS = frozenset(c for c, shown in CHANNELS.items() if shown != NEVER)


def private_category_ids() -> frozenset[int]:
    """Ids of the categories marked never public, with all their subcategories.

    From the per-process category snapshot: no query beyond its version check.
    """
    return catalogue.private_ids()


def _excluded(prefix: str, private: frozenset[int]) -> Q:
    excluded = Q(**{f"{prefix}request_type": RequestType.REPORT})
    if private:
        excluded |= Q(**{f"{prefix}category_id__in": private})
    return excluded


def published(cases: QuerySet, *, prefix: str = "") -> QuerySet:
    """``cases`` (or rows related to cases through ``prefix``, e.g. ``case__``) that may
    be published."""
    private = private_category_ids()
    return cases.filter(**{f"{prefix}channel__in": PUBLISHED_CHANNELS}).exclude(
        _excluded(prefix, private)
    )


def is_published(case: Case) -> bool:
    """Whether ``case`` may be shown through a public door (the predicate of ``published``)."""
    return (
        CHANNELS.get(case.channel, NEVER) != NEVER
        and case.request_type != RequestType.REPORT
        and case.category_id not in private_category_ids()
    )


def shows_text(case: Case) -> bool:
    """Whether the reporter's own text (masked) is what the public reads of ``case``."""
    return CHANNELS.get(case.channel, NEVER) == TEXT
