"""Which grids border which: computed from the polygons once, read from a snapshot.

Grids derived from one map share their edges only up to the file's rounding, so two
grids are neighbours when their boundaries come within ``TOUCH_DEGREES`` (~1 m) of each
other — along an edge or at a corner.
"""

from dataclasses import dataclass

import shapely
from django.db import transaction
from django.db.models import Count, Max
from shapely import STRtree
from shapely.geometry import shape
from tqdm import tqdm

from civicgrid.core.snapshot import Snapshot
from civicgrid.regions.locator import GAP_DEGREES
from civicgrid.regions.models import Level, Region

from .models import GridNeighbour

TOUCH_DEGREES = GAP_DEGREES


def build_grid_neighbours(*, progress: bool = False) -> int:
    """Recompute every pair of touching grids; returns how many pairs (each counted once).

    All or nothing: readers see the old table until the new one is committed.
    """
    rows = Region.objects.filter(level=Level.GRID, boundary__isnull=False).order_by("code")
    ids, polygons = [], []
    for pk, boundary in rows.values_list("pk", "boundary"):
        ids.append(pk)
        polygons.append(shape(boundary))
    pairs: set[tuple[int, int]] = set()
    if polygons:
        shapely.prepare(polygons)
        tree = STRtree(polygons)
        for i, polygon in enumerate(tqdm(polygons, disable=not progress, unit=" grids")):
            for j in tree.query(polygon, predicate="dwithin", distance=TOUCH_DEGREES):
                if int(j) != i:
                    pairs.add((ids[i], ids[int(j)]))
    with transaction.atomic():
        GridNeighbour.objects.all().delete()
        GridNeighbour.objects.bulk_create(
            [GridNeighbour(grid_id=a, neighbour_id=b) for a, b in sorted(pairs)], batch_size=2000
        )
    grid_map.forget()
    return len(pairs) // 2


@dataclass(frozen=True)
class GridInfo:
    code: str
    name: str
    path: str


@dataclass
class GridMap:
    """Every grid's neighbours, and its code, name and path (no polygons)."""

    neighbours: dict[int, tuple[int, ...]]
    grids: dict[int, GridInfo]


def _version() -> tuple:
    links = GridNeighbour.objects.aggregate(n=Count("id"), m=Max("id"))
    grids = Region.objects.filter(level=Level.GRID).aggregate(n=Count("id"), m=Max("updated_at"))
    return (links["n"], links["m"], grids["n"], grids["m"])


def _build() -> GridMap:
    found: dict[int, list[int]] = {}
    for grid, neighbour in GridNeighbour.objects.values_list("grid_id", "neighbour_id"):
        found.setdefault(grid, []).append(neighbour)
    rows = Region.objects.filter(level=Level.GRID).values_list("pk", "code", "name", "path")
    return GridMap(
        neighbours={grid: tuple(sorted(near)) for grid, near in found.items()},
        grids={pk: GridInfo(code, name, path) for pk, code, name, path in rows},
    )


grid_map: Snapshot[GridMap] = Snapshot(_version, _build)


def neighbours_of(grid_id: int) -> tuple[int, ...]:
    """The ids of the grids that touch ``grid_id`` (not itself)."""
    return grid_map.get().neighbours.get(grid_id, ())


def grid_and_neighbours(grid_id: int) -> list[int]:
    return [grid_id, *neighbours_of(grid_id)]


def grid_info(grid_id: int | None) -> GridInfo | None:
    return grid_map.get().grids.get(grid_id) if grid_id is not None else None
