"""A region's ancestors, kept per process: intake asks for the grid's on every case.

The tree changes only when an administrator edits or imports regions; the copy is
dropped when the table's version (count, latest ``updated_at``) changes
(``core.snapshot``). The ancestors carry names, codes and paths, never polygons.
Treat them as read-only.
"""

from django.db.models import Count, Max

from civicgrid.core.snapshot import Snapshot

from .models import Region


def _version() -> tuple:
    row = Region.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    return (row["n"], row["m"])


_ancestors: Snapshot[dict[str, list[Region]]] = Snapshot(_version, dict)


def lineage(region: Region) -> list[Region]:
    """``region`` and its ancestors, most specific first (``Region.lineage``), with the
    ancestors read once per process."""
    known = _ancestors.get()
    found = known.get(region.path)
    if found is None:
        found = known[region.path] = region.ancestors()
    return [region, *reversed(found)]
