"""A region's ancestors, kept per process: intake asks for the grid's on every case.

Every region above the grid level (district, streets, communities: a few hundred rows
even for a city) is read once, without polygons, and kept until the table's version
(count, latest ``updated_at``) changes (``core.snapshot``, checked every few seconds).
The tree changes only when an administrator edits or imports regions. Treat the
regions as read-only.
"""

from django.db.models import Count, Max

from civicgrid.core.snapshot import Snapshot

from .models import Level, Region


def _version() -> tuple:
    row = Region.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    return (row["n"], row["m"])


def _above_grids() -> dict[str, Region]:
    # Names and paths, not polygons: a district's boundary is ~70 kB of GeoJSON.
    rows = Region.objects.exclude(level=Level.GRID).defer("boundary")
    return {region.code: region for region in rows}


_tree: Snapshot[dict[str, Region]] = Snapshot(_version, _above_grids)


def above_grids() -> dict[str, Region]:
    """Every region above the grid level by code, without polygons (read-only)."""
    return _tree.get()


def streets() -> list[Region]:
    """The streets (towns), by code, without polygons (read-only)."""
    return sorted((r for r in _tree.get().values() if r.level == Level.STREET), key=_code)


def _code(region: Region) -> str:
    return region.code


def lineage(region: Region) -> list[Region]:
    """``region`` and its ancestors, most specific first (as ``Region.lineage``)."""
    codes = [c for c in region.path.split("/") if c and c != region.code]
    known = _tree.get()
    if not all(code in known for code in codes):
        return region.lineage()  # an ancestor that is a grid: not kept here
    return [region, *(known[code] for code in reversed(codes))]
