"""Where a published case is: its grid, never its own point or address.

A case's point can be a home; its free-text address can name the room. The public
reads the centroid of the case's grid (a few hundred metres across) and the names of
its street and community. No grid, no position.
"""

from collections.abc import Iterable

from civicgrid.regions import lineage
from civicgrid.regions.models import Level

from ..models import Case

# What a door's queryset must read of the grid for ``position`` (with select_related).
GRID_FIELDS = ("grid__code", "grid__name", "grid__centroid_lat", "grid__centroid_lng")
PLACE_LEVELS = (Level.STREET, Level.COMMUNITY)


def position(case: Case) -> tuple[float | None, float | None]:
    """(lat, lng) of the centroid of the case's grid, or (None, None) without a grid."""
    if case.grid_id is None:
        return None, None
    return case.grid.centroid_lat, case.grid.centroid_lng


def places(cases: Iterable[Case]) -> dict[int, str]:
    """``street · community`` of each case (by id), from its region path.

    The names come from the per-process copy of the regions above the grids
    (``regions.lineage``, version-checked every few seconds): no query per page.
    """
    known = lineage.above_grids()
    names = {code: r.name for code, r in known.items() if r.level in PLACE_LEVELS}
    return {
        case.pk: " · ".join(names[c] for c in case.region_path.split("/") if c in names)
        for case in cases
    }
