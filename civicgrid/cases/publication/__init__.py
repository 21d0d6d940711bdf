"""What may leave the system through a public door: one rule (docs/publication.md).

Every door anyone can read without an account — Open311's GETs, the citizens' results
page, the "same problem?" list, the +1 and tracking pages, and any door to come — shows
cases only through this package, and re-implements none of it:

- **which cases** (``rule``): ``published(cases)`` / ``is_published(case)``; a table
  decides each channel, reports (举报) never, private categories never;
- **text, masked** (``text``): ``public_text`` masks phones and long numbers, ID
  numbers, e-mail addresses, names and room numbers; ``title`` / ``description``;
- **places** (``places``): the grid's centroid, never the case's point; the street ·
  community names, never the address;
- **events** (``events``): public events with a label and safe detail; text only for the
  replies meant for the public, masked; never a staff note;
- **one reader's view** (``views``): the reporter sees their own words on their tracking
  page, anyone else the public view of a published case and nothing of another.
"""

from .events import (
    REPLY_ACTIONS,
    PublicEvent,
    public_label,
    published_events,
    reply,
    timelines,
    updates,
)
from .places import GRID_FIELDS, places, position
from .rule import CHANNELS, NEVER, TEXT, TITLE, is_published, private_category_ids, published
from .text import description, public_text, title
from .views import CaseView, view_of

__all__ = [
    "CHANNELS",
    "GRID_FIELDS",
    "NEVER",
    "REPLY_ACTIONS",
    "TEXT",
    "TITLE",
    "CaseView",
    "PublicEvent",
    "description",
    "is_published",
    "places",
    "position",
    "private_category_ids",
    "public_label",
    "public_text",
    "published",
    "published_events",
    "reply",
    "timelines",
    "title",
    "updates",
    "view_of",
]
