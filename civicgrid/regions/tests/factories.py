"""The test district: a 4 × 2 km rectangle split into two streets, each with one
community of two grids, so tests know exactly which point lands in which grid."""

from shapely.geometry import box, mapping

from civicgrid.regions.models import GridKind, Level, Region

# Lower-left corner of the test district (WGS84), far from the demo district.
X0, Y0 = 100.50, 30.45
STEP = 0.01  # about 1 km


def _region(code, name, level, parent=None, bounds=None, kind=""):
    boundary = mapping(box(*bounds)) if bounds else None
    centre = box(*bounds).centroid if bounds else None
    region, _created = Region.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "parent": parent,
            "grid_kind": kind,
            "boundary": boundary,
            "centroid_lng": centre.x if centre else None,
            "centroid_lat": centre.y if centre else None,
        },
    )
    return region


def make_district(prefix: str = "3799", name: str = "测试区") -> dict:
    """A district with 2 streets × 1 community × 2 grids; returns the regions by key.

    Each prefix gets its own place on the map, so two test districts never overlap.
    """
    x0 = X0 + (int(prefix) % 100) * 0.1
    city = _region(f"{prefix}00000000", "测试市", Level.CITY)
    district = _region(
        f"{prefix}01000000", name, Level.DISTRICT, city, (x0, Y0, x0 + 4 * STEP, Y0 + 2 * STEP)
    )
    regions = {"city": city, "district": district}
    for s in (1, 2):
        x = x0 + (s - 1) * 2 * STEP
        street = _region(
            f"{prefix}0100{s}000",
            f"第{s}街道",
            Level.STREET,
            district,
            (x, Y0, x + 2 * STEP, Y0 + 2 * STEP),
        )
        community = _region(
            f"{prefix}0100{s}001",
            f"第{s}社区",
            Level.COMMUNITY,
            street,
            (x, Y0, x + 2 * STEP, Y0 + 2 * STEP),
        )
        regions[f"street{s}"], regions[f"community{s}"] = street, community
        for g in (1, 2):
            gx = x + (g - 1) * STEP
            regions[f"grid{s}{g}"] = _region(
                f"{community.code}00{g}",
                f"第{s}社区第{g}网格",
                Level.GRID,
                community,
                (gx, Y0, gx + STEP, Y0 + 2 * STEP),
                GridKind.BASIC,
            )
    from civicgrid.regions import locator

    locator.refresh()
    return regions


def point_in(grid: Region) -> tuple[float, float]:
    """(lng, lat) in WGS84 at the centre of a test grid."""
    return grid.centroid_lng, grid.centroid_lat
