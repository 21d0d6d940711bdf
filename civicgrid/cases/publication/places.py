"""Where a published case is: its grid, never its own point or address.

A case's point can be a home; its free-text address can name the room. The public
reads the centroid of the case's grid (a few hundred metres across) and the names of
its street and community. No grid, no position.
"""

from collections.abc import Iterable

from civicgrid.regions.models import Level, Region

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
    """``street · community`` of each case (by id), from its region path; one query."""
    cases = list(cases)
    paths = {case.pk: [code for code in case.region_path.split("/") if code] for case in cases}
    codes = {code for path in paths.values() for code in path}
    if not codes:
        return {case.pk: "" for case in cases}
    names = dict(
        Region.objects.filter(code__in=codes, level__in=PLACE_LEVELS)
        .order_by("code")
        .values_list("code", "name")
    )
    return {pk: " · ".join(names[c] for c in path if c in names) for pk, path in paths.items()}
