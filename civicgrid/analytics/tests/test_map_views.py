"""The city map page and the GeoJSON it draws."""

import json
import re

import pytest
from django.urls import reverse

from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f


def geojson(client, name, **headers):
    response = client.get(reverse(f"cases:{name}"), **headers)
    assert response["Content-Type"] == "application/geo+json"
    return response, json.loads(response.content)


def grids_by_code(collection):
    return {
        feature["properties"]["code"]: feature["properties"]
        for feature in collection["features"]
        if feature["properties"]["level"] == "grid"
    }


def test_the_city_map_loads_leaflet_from_our_own_static_files(client, leader, district):
    client.force_login(leader)
    html = client.get(reverse("analytics:map")).content.decode()
    assert "/static/leaflet/leaflet.js" in html
    assert "/static/leaflet/leaflet.css" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # no CDN, no outside URL
    assert reverse("cases:grids_geojson") in html


def test_every_grid_carries_its_open_case_count(client, leader, operator, district, category):
    f.make_case(actor=operator, grid=district["grid11"], category=category)
    f.make_case(actor=operator, grid=district["grid11"], category=category)
    answered = f.make_case(actor=operator, grid=district["grid12"], category=category)
    services.act(answered, Action.ANSWER_DIRECTLY, actor=operator, answer="已答复")
    client.force_login(leader)
    _response, collection = geojson(client, "grids_geojson")
    grids = grids_by_code(collection)
    assert grids[district["grid11"].code]["open"] == 2
    assert grids[district["grid12"].code]["open"] == 0
    assert grids[district["grid21"].code]["name"] == district["grid21"].name


def test_street_outlines_come_with_the_grids(client, leader, district):
    client.force_login(leader)
    _response, collection = geojson(client, "grids_geojson")
    streets = [x for x in collection["features"] if x["properties"]["level"] == "street"]
    assert {s["properties"]["code"] for s in streets} == {
        district["street1"].code,
        district["street2"].code,
    }
    assert streets[0]["geometry"]["type"] == "Polygon"


def test_a_grid_worker_sees_their_grids_and_their_street(client, grid_worker, district):
    client.force_login(grid_worker)
    _response, collection = geojson(client, "grids_geojson")
    codes = {x["properties"]["code"] for x in collection["features"]}
    assert codes == {district["grid11"].code, district["grid12"].code, district["street1"].code}


def test_the_grid_geojson_is_revalidated_with_an_etag(client, leader, district):
    client.force_login(leader)
    first, _ = geojson(client, "grids_geojson")
    again = client.get(reverse("cases:grids_geojson"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "private" in first["Cache-Control"]


def test_the_counts_take_a_fixed_number_of_queries(
    client, leader, operator, district, category, django_assert_max_num_queries, warm_snapshots
):
    for key in ("grid11", "grid12", "grid21", "grid22") * 3:
        f.make_case(actor=operator, grid=district[key], category=category)
    client.force_login(leader)
    client.get(reverse("cases:grids_geojson"))  # warm (see ``warm_snapshots``)
    # (+1 per case list: the ids of the cases opened to the user, listed so the scope's
    # OR reads indexes; docs/performance.md)
    with django_assert_max_num_queries(6):
        client.get(reverse("cases:grids_geojson"))


def test_open_cases_are_points_with_their_traffic_light(client, leader, new_case):
    client.force_login(leader)
    _response, collection = geojson(client, "cases_geojson")
    (point,) = collection["features"]
    assert point["geometry"]["coordinates"] == pytest.approx([new_case.lng, new_case.lat])
    assert point["properties"]["number"] == new_case.number
    assert point["properties"]["light"] == "green"


def test_an_outsider_sees_no_cases_on_the_map(client, outsider, new_case, district):
    client.force_login(outsider)
    _response, points = geojson(client, "cases_geojson")
    _response, grids = geojson(client, "grids_geojson")
    assert points["features"] == []
    assert all(g["open"] == 0 for g in grids_by_code(grids).values())


def test_the_map_needs_a_sign_in(client, db):
    assert client.get(reverse("cases:grids_geojson")).status_code == 302


def test_the_grid_layer_is_sent_compressed_to_browsers_that_accept_it(client, leader, district):
    client.force_login(leader)
    response = client.get(reverse("cases:grids_geojson"), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"


def test_a_compressed_grid_layer_is_not_sent_again_while_nothing_changed(client, leader, district):
    client.force_login(leader)
    url = reverse("cases:grids_geojson")
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert first["ETag"].startswith("W/")
    assert again.status_code == 304
