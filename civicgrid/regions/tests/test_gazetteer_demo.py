"""The demo's gazetteer: every street, town, community and village of 东营区 at a point
inside its polygon, and the example file of the docs."""

from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from civicgrid.regions.gazetteer import load_region_places, search
from civicgrid.regions.gazetteer_import import import_places
from civicgrid.regions.models import Level, Place, PlaceKind, Region

EXAMPLE = Path(__file__).parents[3] / "docs" / "gazetteer-example.csv"
DISTRICT = "370502000000"


@pytest.fixture
def demo_places(dongying, db):
    load_region_places(Region.objects.get(code=DISTRICT))


def test_every_street_and_community_is_a_place_inside_its_polygon(demo_places):
    regions = Region.objects.filter(
        code__startswith="3705", level__in=[Level.STREET, Level.COMMUNITY]
    )
    assert Place.objects.filter(kind=PlaceKind.STREET).count() == 11
    assert Place.objects.filter(kind=PlaceKind.COMMUNITY).count() == 330
    for region in regions:
        place = Place.objects.get(region=region)
        assert place.name == region.name
        assert shape(region.boundary).contains(Point(place.lng, place.lat)), region.name


def test_the_demo_places_are_found_by_chinese_and_by_initials(demo_places):
    assert search("文汇")[0].place.name == "文汇街道"
    assert search("whjd")[0].place.name == "文汇街道"
    assert "东营社区" in [hit.place.name for hit in search("dysq")]
    assert search("东营社区")[0].context == ["东营区", "文汇街道"]


def test_loading_the_demo_again_changes_nothing_and_keeps_imported_entries(demo_places):
    import_places(EXAMPLE.read_bytes(), source="example")
    moved = Place.objects.get(name="东营社区", kind=PlaceKind.COMMUNITY)
    before = Place.objects.count()

    load_region_places(Region.objects.get(code=DISTRICT))

    assert Place.objects.count() == before
    assert Place.objects.get(pk=moved.pk).source == "example"


def test_the_example_file_of_the_docs_imports_cleanly(demo_places):
    result = import_places(EXAMPLE.read_bytes(), source="example")

    assert not result.skipped
    assert result.created + result.updated == 8
    road = Place.objects.get(name="西四路")
    assert road.kind == PlaceKind.ROAD
    assert road.region is not None  # found from the point
    assert [hit.place.name for hit in search("xsl")][:2] == ["西四路", "西四路100号"]
