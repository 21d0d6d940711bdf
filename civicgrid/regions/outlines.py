"""The streets' and grids' outlines as the maps draw them, built once per region version.

Every map (the citizens' pin map, the staff city map) asks for the same polygons: about a
megabyte of GeoJSON for a district. Decoding and encoding them per request took 0.2–2 s.
Here they are rendered once per version of the region table (``version``: the count and
latest ``updated_at`` of the regions, read on every request, so an edit or import shows
in the next answer of every process) and kept in the shared cache (``core.bodies``).

The outlines are for drawing only: each is simplified to ``TOLERANCE`` degrees (about a
metre, keeping its topology) and rounded to ``DIGITS`` decimals (about 0.1 m), roughly
halving the bytes. Locating a point (``locator``) still reads the stored polygons.
"""

import json
from dataclasses import dataclass

import shapely
from django.db.models import Count, Max
from shapely.geometry import mapping, shape

from civicgrid.core import bodies

from .models import Level, Region

TOLERANCE = 1e-5
DIGITS = 6
DRAWN_LEVELS = (Level.STREET, Level.GRID)


def version() -> tuple:
    """The region table's version: its count and latest ``updated_at`` (one aggregate)."""
    row = Region.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    return (row["n"], row["m"])


@dataclass(frozen=True)
class Outline:
    """One street or grid on the map: its keys and its GeoJSON geometry, already text."""

    pk: int
    code: str
    name: str
    level: str
    path: str
    grid_kind: str
    geometry: str


def _rounded(value):
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def drawn(boundary) -> str:
    """``boundary`` as the maps draw it: simplified, rounded, compact JSON text."""
    try:
        geometry = shape(boundary)
        simpler = shapely.simplify(geometry, TOLERANCE, preserve_topology=True)
        if simpler.is_empty:
            simpler = geometry
        boundary = mapping(simpler)
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.ShapelyError):
        pass  # not a geometry Shapely reads: drawn as stored
    return json.dumps(_rounded(boundary), separators=(",", ":"))


def _build() -> tuple[Outline, ...]:
    rows = (
        Region.objects.filter(level__in=DRAWN_LEVELS, boundary__isnull=False)
        .order_by("level", "code")
        .values_list("pk", "code", "name", "level", "path", "grid_kind", "boundary")
    )
    return tuple(
        Outline(pk, code, name, level, path, grid_kind or "", drawn(boundary))
        for pk, code, name, level, path, grid_kind, boundary in rows
    )


def outlines(at: tuple | None = None) -> tuple[Outline, ...]:
    """Streets and grids with a boundary, by level and code, as of version ``at`` (read if None)."""
    return bodies.kept("regions.outlines", version() if at is None else at, _build)
