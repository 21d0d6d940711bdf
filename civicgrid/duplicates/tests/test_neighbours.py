"""Neighbouring grids: found from the polygons, rebuilt when regions are imported."""

from shapely.geometry import box, mapping

from civicgrid.duplicates.models import GridNeighbour
from civicgrid.duplicates.neighbours import build_grid_neighbours, neighbours_of
from civicgrid.regions.services import import_regions


def test_grids_whose_boundaries_touch_are_neighbours(neighbours):
    d = neighbours
    # Street 1 holds grids 11 | 12, street 2 grids 21 | 22, side by side from west to east.
    assert set(neighbours_of(d["grid11"].pk)) == {d["grid12"].pk}
    assert set(neighbours_of(d["grid12"].pk)) == {d["grid11"].pk, d["grid21"].pk}
    assert set(neighbours_of(d["grid21"].pk)) == {d["grid12"].pk, d["grid22"].pk}
    assert d["grid22"].pk not in neighbours_of(d["grid11"].pk)


def test_grids_of_another_district_far_away_are_not_neighbours(neighbours, other_district):
    mine = {neighbours[f"grid{s}{g}"].pk for s in (1, 2) for g in (1, 2)}
    for s in (1, 2):
        for g in (1, 2):
            assert not mine & set(neighbours_of(other_district[f"grid{s}{g}"].pk))


def test_building_twice_gives_the_same_pairs(neighbours):
    first = build_grid_neighbours()
    second = build_grid_neighbours()
    assert first == second == GridNeighbour.objects.count() // 2


def feature(code, name, level, parent, bounds):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent},
        "geometry": mapping(box(*bounds)),
    }


def test_importing_grids_finds_their_neighbours(db):
    x, y = 110.0, 35.0
    features = [
        feature("370000000000", "某市", "city", "", (x, y, x + 0.02, y + 0.01)),
        feature("370100000000", "某区", "district", "370000000000", (x, y, x + 0.02, y + 0.01)),
        feature("370101001000", "某街道", "street", "370100000000", (x, y, x + 0.02, y + 0.01)),
        feature("370101001001", "某社区", "community", "370101001000", (x, y, x + 0.02, y + 0.01)),
        feature("370101001001001", "一网格", "grid", "370101001001", (x, y, x + 0.01, y + 0.01)),
        feature(
            "370101001001002", "二网格", "grid", "370101001001", (x + 0.01, y, x + 0.02, y + 0.01)
        ),
    ]
    import_regions(features)
    pairs = {(n.grid.code, n.neighbour.code) for n in GridNeighbour.objects.select_related()}
    assert pairs == {
        ("370101001001001", "370101001001002"),
        ("370101001001002", "370101001001001"),
    }
