"""Possible duplicates of a new report: open cases nearby and recent, most alike first.

One indexed query — cases of the same grid and its neighbours (``cases`` index on
``grid, created_at, status``) inside the time window, still open, and visible to the
asker exactly as in the case list (``scope.visible_cases``) —
reads at most ``MAX_SCANNED`` titles and content openings; their likeness to the new
text (``text.likeness_to_many``) is computed right here. Nothing is stored at intake, so
intake stays as fast as it was.

``LIKELY_DUPLICATE`` is the likeness above which a candidate is flagged "likely
duplicate": chosen on rewritten *training* messages for ≥ 95 % precision and measured
on the held-out ones by ``bench/duplicates.py`` (see bench/README.md).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.models import OPEN_STATUSES, Case
from civicgrid.cases.scope import visible_cases
from civicgrid.regions.models import Region
from civicgrid.routing.models import Category

from .neighbours import GridInfo, grid_and_neighbours, grid_info
from .text import TEXT_CHARS, likeness_to_many, message_text

LIKELY_DUPLICATE = 0.54
# Below this a case shares only everyday words with the new text: not worth showing.
MIN_SHOWN = 0.2
WINDOW_DAYS = 30
MAX_SCANNED = 500
# What is read of every nearby case, and the content only as far as it is compared: as
# plain tuples (a model instance per row costs more than the comparison), in the model's
# field order so that the few shown become cases with ``Case.from_db``. Rows come newest
# first: their order is their recency.
FIELDS = ("id", "number", "title", "status", "created_at", "category_id", "grid_id", "region_path")
SCANNED = [f.attname for f in Case._meta.concrete_fields if f.attname in FIELDS]
_TITLE, _CATEGORY, _GRID = (SCANNED.index(name) for name in ("title", "category_id", "grid_id"))

NO_PLACE = "no_place"
REASONS = {
    NO_PLACE: _("Give a position inside a grid, or a category, to look for duplicates."),
}


@dataclass
class Candidate:
    case: Case
    score: float
    same_grid: bool
    opening: str = ""  # the start of the case's content, as scanned

    @property
    def likely(self) -> bool:
        return self.score >= LIKELY_DUPLICATE

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def grid(self) -> GridInfo | None:
        """The candidate's grid (code, name), from the per-process grid map."""
        return grid_info(self.case.grid_id)


@dataclass
class Candidates:
    """The ranked candidates, how many cases were compared, and why none were looked for."""

    items: list[Candidate] = field(default_factory=list)
    scanned: int = 0
    reason: str = ""

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, ""))

    @property
    def likely(self) -> list[Candidate]:
        return [c for c in self.items if c.likely]


def find_candidates(
    title: str,
    content: str,
    grid: Region | int | None,
    *,
    category: Category | None = None,
    centre: Region | None = None,
    at: datetime | None = None,
    window_days: int = WINDOW_DAYS,
    limit: int = 5,
    actor=None,
    exclude: Case | None = None,
) -> Candidates:
    """Open cases like ``title``/``content`` near ``grid`` within ``window_days`` before ``at``.

    ``category`` ranks cases of that category first among equally alike ones; without a
    grid, only cases of that category triaged by ``centre`` are compared; with neither,
    nothing is looked for (``reason`` says why). ``actor`` limits the search to the cases
    they may see. Merged and closed cases are never candidates: nothing can be merged
    into them or joined.
    """
    at = at or timezone.now()
    query = Case.objects.filter(
        created_at__gte=at - timedelta(days=window_days),
        created_at__lte=at,
        status__in=OPEN_STATUSES,
    )
    grid_id = grid.pk if isinstance(grid, Region) else grid
    grids = grid_and_neighbours(grid_id) if grid_id is not None else []
    if grids:
        query = query.filter(grid_id__in=grids)
    elif category is not None and centre is not None:
        query = query.filter(category=category, owner_region=centre)
    else:
        return Candidates(reason=NO_PLACE)
    if actor is not None:
        # Exactly the case list's rule, in every branch: a shortcut for "the asker's
        # regions cover these grids" once skipped it for a search without grids.
        query = visible_cases(actor, query)
    if exclude is not None:
        query = query.exclude(pk=exclude.pk)
    rows = list(
        query.order_by("-created_at")
        .annotate(opening=Substr("content", 1, TEXT_CHARS))
        .values_list(*SCANNED, "opening")[:MAX_SCANNED]
    )
    return Candidates(_ranked(title, content, rows, grid_id, category, limit), scanned=len(rows))


def _ranked(
    title: str, content: str, rows: list[tuple], grid_id, category: Category | None, limit: int
) -> list[Candidate]:
    """Most alike first; among equals the same category, the same grid, then the newer.

    With no text yet (a citizen who has only picked a category) the nearby open cases
    of that category are listed, newest first, with no score.
    """
    wanted = message_text(title, content)
    category_id = category.pk if category is not None else None
    if wanted.strip():
        texts = [message_text(row[_TITLE], row[-1]) for row in rows]
        scores = likeness_to_many(wanted, texts).tolist()
        floor = MIN_SHOWN
    else:
        scores = [0.0 if category_id in (None, row[_CATEGORY]) else -1.0 for row in rows]
        floor = 0.0
    order = sorted(
        (i for i, score in enumerate(scores) if score >= floor),
        key=lambda i: (-scores[i], rows[i][_CATEGORY] != category_id, rows[i][_GRID] != grid_id, i),
    )[:limit]
    return [
        Candidate(
            _case(rows[i]),
            scores[i],
            grid_id is not None and rows[i][_GRID] == grid_id,
            opening=rows[i][-1],
        )
        for i in order
    ]


def _case(row: tuple) -> Case:
    """A case of the scanned columns (the last one, the content's opening, is not a field)."""
    return Case.from_db("default", SCANNED, row[:-1])
