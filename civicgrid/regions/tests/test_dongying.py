"""The real 东营区 geography: counts, nesting, GCJ-02 input landing in the right grid."""

import pytest
from shapely.geometry import Point, shape

from civicgrid.regions import locator
from civicgrid.regions.datum import InvalidCoordinates, from_wgs84, to_wgs84
from civicgrid.regions.models import GridKind, Level, Region
from civicgrid.regions.services import load_demo_geography

pytestmark = pytest.mark.django_db

# A point in the western city of Dongying as Amap (GCJ-02) gives it.
AMAP_POINT = (118.50, 37.46)


def test_the_demo_district_has_its_real_streets_communities_and_948_grids(dongying):
    district = Region.objects.get(code="370502000000")
    assert district.name == "东营区"
    below = Region.objects.within(district)
    assert below.filter(level=Level.STREET).count() == 11
    assert below.filter(level=Level.COMMUNITY).count() == 330
    assert below.filter(level=Level.GRID).count() == 948
    assert below.filter(level=Level.GRID, grid_kind=GridKind.DEDICATED).count() == 20
    assert Region.objects.get(code="370502001000").name == "文汇街道"


def test_every_grid_code_extends_its_community_code_and_lies_inside_it(dongying):
    grids = Region.objects.filter(level=Level.GRID, code__startswith="370502").select_related(
        "parent"
    )
    for grid in grids:
        assert grid.code.startswith(grid.parent.code)
        assert len(grid.code) == 15
        community = shape(grid.parent.boundary)
        # 2e-6° ≈ 0.2 m: the file keeps 6 decimals.
        assert community.buffer(2e-6).contains(shape(grid.boundary)), grid.code


def test_a_gcj02_point_lands_in_the_same_grid_as_its_wgs84_conversion(dongying):
    located = locator.locate(*AMAP_POINT, datum="gcj02")
    lng, lat = to_wgs84(*AMAP_POINT, "gcj02")
    assert located.grid is not None
    assert locator.locate(lng, lat, "wgs84").grid == located.grid
    assert shape(located.grid.boundary).covers(Point(lng, lat))
    assert located.lineage[:2] == ["370500000000", "370502000000"]


def test_reading_gcj02_numbers_as_wgs84_puts_the_point_hundreds_of_metres_off(dongying):
    right = locator.locate(*AMAP_POINT, datum="gcj02")
    wrong = locator.locate(*AMAP_POINT, datum="wgs84")
    shift_m = ((right.lng - wrong.lng) * 88_000) ** 2 + ((right.lat - wrong.lat) * 111_000) ** 2
    assert 300 < shift_m**0.5 < 1000
    assert right.grid != wrong.grid  # urban grids are a few hundred metres across


def test_a_point_outside_the_district_has_no_grid(dongying):
    assert locator.locate(116.397, 39.909, "wgs84").grid is None  # Beijing


def test_coordinates_out_of_range_or_in_an_unknown_datum_are_refused():
    with pytest.raises(InvalidCoordinates):
        to_wgs84(118.5, 1000, "wgs84")
    with pytest.raises(InvalidCoordinates):
        to_wgs84(118.5, 37.4, "xyz")


def test_datum_round_trips_are_precise():
    for datum in ("gcj02", "bd09"):
        lng, lat = to_wgs84(*from_wgs84(118.5, 37.45, datum), datum)
        assert abs(lng - 118.5) < 1e-8
        assert abs(lat - 37.45) < 1e-8


def test_reimporting_the_demo_changes_nothing(dongying):
    before = dict(Region.objects.filter(code__startswith="3705").values_list("code", "updated_at"))
    load_demo_geography(progress=False)
    after = dict(Region.objects.filter(code__startswith="3705").values_list("code", "updated_at"))
    assert after == before


def test_the_locator_notices_grids_changed_by_another_process(dongying, monkeypatch):
    grid = locator.locate(*AMAP_POINT, datum="gcj02").grid
    moved = {"type": "Polygon", "coordinates": [[[100, 0], [101, 0], [101, 1], [100, 1], [100, 0]]]}
    # Another process moves the grid: a queryset update, not through this process.
    Region.objects.filter(pk=grid.pk).update(
        boundary=moved, updated_at=grid.updated_at.replace(year=2030)
    )
    monkeypatch.setattr(locator._index, "every", 0.0)  # check the version on each lookup
    assert locator.locate(100.5, 0.5, "wgs84").grid == grid
    Region.objects.filter(pk=grid.pk).update(boundary=grid.boundary, updated_at=grid.updated_at)
    locator.refresh()


def test_grids_in_the_city_are_smaller_than_grids_in_the_villages(dongying):
    city, villages = [], []
    for grid in Region.objects.filter(level=Level.GRID, grid_kind=GridKind.BASIC).select_related(
        "parent"
    ):
        area = shape(grid.boundary).area
        (villages if grid.parent.name.endswith("村") else city).append(area)
    city.sort()
    villages.sort()
    assert len(villages) > 200
    assert city[len(city) // 2] * 3 < villages[len(villages) // 2]


def test_names_are_the_short_ones_people_use(dongying):
    names = set(Region.objects.filter(level=Level.COMMUNITY).values_list("name", flat=True))
    assert {"东营社区", "辽河社区", "王家村", "广利港社区"} <= names
    assert not [n for n in names if n.endswith(("委员会", "居委会", "村委会"))]
    dedicated = Region.objects.filter(grid_kind=GridKind.DEDICATED).values_list("name", flat=True)
    assert all("专属网格" in name for name in dedicated)


def test_every_region_below_the_city_is_one_valid_polygon(dongying):
    for region in Region.objects.filter(code__startswith="370502"):
        polygon = shape(region.boundary)
        assert polygon.geom_type == "Polygon", region.code
        assert polygon.is_valid, region.code


def test_a_lookup_between_checks_costs_no_query(
    dongying, django_assert_num_queries, warm_snapshots
):
    locator.locate(*AMAP_POINT, datum="gcj02")  # builds the index
    with django_assert_num_queries(0):  # grid rows are in the index; no version check
        assert locator.locate(*AMAP_POINT, datum="gcj02").grid is not None
