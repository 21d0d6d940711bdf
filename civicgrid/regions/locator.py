"""Point → grid, in process: a Shapely STRtree over every grid polygon.

Each process builds the tree once and rebuilds it when the grids changed — in this
process (``refresh()`` after an import) or in another one, noticed by comparing a
cheap aggregate (count and latest ``updated_at`` of grids) at most every
``CHECK_EVERY_SECONDS``. No state another process needs lives only here.
"""

import threading
import time as clock
from dataclasses import dataclass, field

from django.db.models import Count, Max
from shapely import STRtree
from shapely.geometry import Point, shape

from .datum import to_wgs84
from .models import Level, Region

CHECK_EVERY_SECONDS = 5.0


@dataclass
class Location:
    """A point in WGS84 and the grid it lies in (None: outside every grid)."""

    lng: float
    lat: float
    grid: Region | None
    lineage: list[str] = field(default_factory=list)


@dataclass
class _Index:
    tree: STRtree | None
    polygons: list
    grid_ids: list[int]
    version: tuple
    checked: float


_lock = threading.Lock()
_index: _Index | None = None


def _version() -> tuple:
    row = Region.objects.filter(level=Level.GRID).aggregate(n=Count("id"), m=Max("updated_at"))
    return (row["n"], row["m"])


def _build(version: tuple) -> _Index:
    polygons, ids = [], []
    for pk, boundary in Region.objects.filter(level=Level.GRID, boundary__isnull=False).values_list(
        "pk", "boundary"
    ):
        polygons.append(shape(boundary))
        ids.append(pk)
    tree = STRtree(polygons) if polygons else None
    return _Index(tree, polygons, ids, version, clock.monotonic())


def _current() -> _Index:
    global _index
    index = _index
    now = clock.monotonic()
    if index is not None and now - index.checked < CHECK_EVERY_SECONDS:
        return index
    with _lock:
        version = _version()
        if _index is None or _index.version != version:
            _index = _build(version)
        else:
            _index.checked = now
        return _index


def refresh() -> None:
    """Forget the index so the next lookup rebuilds it (after grids changed here)."""
    global _index
    with _lock:
        _index = None


def grid_id_at(lng: float, lat: float) -> int | None:
    """The id of the grid containing a WGS84 point, or None."""
    index = _current()
    if index.tree is None:
        return None
    point = Point(lng, lat)
    hits = index.tree.query(point, predicate="intersects")
    if len(hits) == 0:
        return None
    # On a shared edge a point touches two grids: take the lowest code deterministically.
    return min(index.grid_ids[i] for i in hits)


def locate(lng: float, lat: float, datum: str = "wgs84") -> Location:
    """Resolve a point given in ``datum`` to WGS84 and its grid.

    Raises ``datum.InvalidCoordinates`` (a ``ValueError``) for bad input.
    """
    lng, lat = to_wgs84(float(lng), float(lat), datum)
    grid_id = grid_id_at(lng, lat)
    if grid_id is None:
        return Location(lng, lat, None)
    grid = Region.objects.select_related("parent").get(pk=grid_id)
    return Location(lng, lat, grid, [c for c in grid.path.split("/") if c])
