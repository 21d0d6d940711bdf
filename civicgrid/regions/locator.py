"""Point → grid, in process: a Shapely STRtree over every grid polygon.

Each process builds the tree once and rebuilds it when the grids changed — in this
process (``refresh()`` after an import) or in another one, noticed by comparing a
cheap aggregate (count and latest ``updated_at`` of grids) at most every
``CHECK_EVERY_SECONDS`` (setting ``CIVICGRID_GRID_CHECK_SECONDS``, default 5): a
``core.snapshot``. No state another process needs lives only here.
"""

from dataclasses import dataclass, field

import shapely
from django.conf import settings
from django.db.models import Count, Max
from shapely import STRtree
from shapely.geometry import shape

from civicgrid.core.snapshot import Snapshot

from .datum import to_wgs84
from .models import Level, Region

CHECK_EVERY_SECONDS = float(getattr(settings, "CIVICGRID_GRID_CHECK_SECONDS", 5.0))
# Neighbouring grids share their borders only up to the file's rounding (~0.1 m), so a
# point can fall into a hair-thin gap; within this distance (~1 m) the nearest grid wins.
GAP_DEGREES = 1e-5
# The area served: the grids' convex hull and this much around it (~2 km), so a point
# between grids or just past the edge is still ours; Beijing is not.
SERVED_MARGIN_DEGREES = 0.02


@dataclass
class Location:
    """A point in WGS84 and the grid it lies in.

    ``grid`` is None when the point is outside every grid: the caller keeps the point
    and flags it for manual placement. ``lineage`` holds the codes from the root down.
    """

    lng: float
    lat: float
    grid: Region | None
    lineage: list[str] = field(default_factory=list)
    district: Region | None = None


@dataclass
class _Index:
    tree: STRtree | None
    grid_ids: list[int]
    # Rows without their polygons, so a lookup needs no query; shared by every request
    # of this process, so treat them as read-only.
    grids: dict = field(default_factory=dict)
    districts: dict = field(default_factory=dict)
    area: shapely.Geometry | None = None


def _version() -> tuple:
    row = Region.objects.filter(level=Level.GRID).aggregate(n=Count("id"), m=Max("updated_at"))
    return (row["n"], row["m"])


def _build() -> _Index:
    polygons, ids = [], []
    rows = Region.objects.filter(level=Level.GRID, boundary__isnull=False)
    for pk, boundary in rows.order_by("code").values_list("pk", "boundary"):
        polygons.append(shape(boundary))
        ids.append(pk)
    # Prepared polygons answer "does it contain this point?" several times faster.
    shapely.prepare(polygons)
    tree = STRtree(polygons) if polygons else None
    area = None
    if polygons:
        area = shapely.convex_hull(shapely.GeometryCollection(polygons))
        area = area.buffer(SERVED_MARGIN_DEGREES)
        shapely.prepare(area)
    light = Region.objects.defer("boundary")
    grids = {r.pk: r for r in light.filter(level=Level.GRID)}
    districts = {r.code: r for r in light.filter(level=Level.DISTRICT)}
    return _Index(tree, ids, grids, districts, area)


_index: Snapshot[_Index] = Snapshot(_version, _build, every=CHECK_EVERY_SECONDS)


def refresh() -> None:
    """Forget the index so the next lookup rebuilds it (after grids changed here)."""
    _index.forget()


def grid_id_at(lng: float, lat: float) -> int | None:
    """The id of the grid containing a WGS84 point, or None."""
    return _grid_id_in(_index.get(), lng, lat)


def _grid_id_in(index: _Index, lng: float, lat: float) -> int | None:
    if index.tree is None:
        return None
    point = shapely.points(lng, lat)  # several times faster than Point() in a bulk import
    hits = index.tree.query(point, predicate="intersects")
    if len(hits) == 0:
        hits = index.tree.query(point, predicate="dwithin", distance=GAP_DEGREES)
        if len(hits) == 0:
            return None
    # On a shared edge a point touches two grids; polygons are in code order, so the
    # lowest index is the lowest code: the same answer in every process.
    return index.grid_ids[int(min(hits))]


def locate(lng: float, lat: float, datum: str = "wgs84") -> Location:
    """Resolve a point given in ``datum`` to WGS84 and its grid.

    Raises ``datum.InvalidCoordinates`` (a ``ValueError``) for bad input.
    """
    lng, lat = to_wgs84(float(lng), float(lat), datum)
    index = _index.get()  # one index (and one version check) for the whole answer
    grid_id = _grid_id_in(index, lng, lat)
    if grid_id is None:
        return Location(lng, lat, None)
    grid = index.grids[grid_id]
    codes = [c for c in grid.path.split("/") if c]
    district = next((index.districts[c] for c in codes if c in index.districts), None)
    return Location(lng, lat, grid, codes, district)


def serves(lng: float, lat: float) -> bool:
    """Whether a WGS84 point is in the area served (true while no grid is loaded)."""
    area = _index.get().area
    return area is None or bool(shapely.contains_xy(area, lng, lat))


def area_name() -> str:
    """The name of the area served: its district's (or districts') name."""
    return "、".join(sorted(r.name for r in _index.get().districts.values()))


def community_id_at(lng: float, lat: float) -> int | None:
    """The id of the community (the parent of the grid) containing a WGS84 point, or None."""
    index = _index.get()
    grid_id = _grid_id_in(index, lng, lat)
    return None if grid_id is None else index.grids[grid_id].parent_id
