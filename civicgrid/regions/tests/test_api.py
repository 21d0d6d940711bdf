"""The regions API: the tree for pickers and maps, and point → grid for other systems."""

import prcoords
import pytest
from django.test import Client

from civicgrid.accounts.models import ApiToken
from civicgrid.regions.tests import factories as f


@pytest.fixture
def api(operator):
    _token, raw = ApiToken.issue(operator, "tests")
    headers = {"Authorization": f"Bearer {raw}"}

    def get(url, **params):
        return Client().get(url, params, headers=headers)

    return get


def test_grids_are_listed_with_their_centroid_and_parent(api, district):
    body = api("/api/regions", level="grid").json()
    assert body["count"] == 4
    first = body["items"][0]
    assert first["code"] == district["grid11"].code
    assert first["parent"] == district["community1"].code
    lng, lat = f.point_in(district["grid11"])
    assert first["centroid"] == {"lng": pytest.approx(lng), "lat": pytest.approx(lat)}


def test_the_children_of_a_region_are_listed_by_its_code(api, district):
    body = api("/api/regions", parent=district["district"].code).json()
    assert [r["code"] for r in body["items"]] == [
        district["street1"].code,
        district["street2"].code,
    ]


def test_a_point_is_located_in_its_grid_with_the_whole_lineage(api, district):
    lng, lat = f.point_in(district["grid21"])
    body = api("/api/regions/locate", lng=lng, lat=lat).json()
    assert body["grid"]["code"] == district["grid21"].code
    assert body["needs_placement"] is False
    assert [r["level"] for r in body["lineage"]] == [
        "grid",
        "community",
        "street",
        "district",
        "city",
    ]


def test_a_gcj02_point_is_converted_before_it_is_located(api, district):
    lng, lat = f.point_in(district["grid12"])
    gcj_lat, gcj_lng = prcoords.wgs_gcj((lat, lng))
    body = api("/api/regions/locate", lng=gcj_lng, lat=gcj_lat, datum="gcj02").json()
    assert body["grid"]["code"] == district["grid12"].code
    assert body["lng"] == pytest.approx(lng, abs=1e-5)


def test_a_point_outside_every_grid_needs_placement(api, district):
    body = api("/api/regions/locate", lng=75, lat=40).json()
    assert body == {"lng": 75.0, "lat": 40.0, "grid": None, "lineage": [], "needs_placement": True}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lng": 118.5, "lat": 1000}, "lat"),
        ({"lng": -500, "lat": 37}, "lng"),
        ({"lng": "east", "lat": 37}, "lng"),
        ({"lng": 118.5}, "lat"),
        ({"lng": "nan", "lat": 37}, "lng"),
        ({"lng": 118.5, "lat": 37.4, "datum": "xyz"}, "datum"),
    ],
)
def test_a_bad_point_is_a_400_naming_the_parameter(api, district, params, field):
    response = api("/api/regions/locate", **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "planet"}, "level"),
        ({"parent": "nope"}, "parent"),
        ({"parent": "\x00"}, "parent"),
        ({"limit": 0}, "limit"),
    ],
)
def test_a_bad_region_filter_is_a_400(api, district, params, field):
    response = api("/api/regions", **params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_an_outsider_without_a_token_gets_nothing(district):
    response = Client().get("/api/regions")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
