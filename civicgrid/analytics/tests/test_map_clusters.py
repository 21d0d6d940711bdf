"""Every open case on the city map, however many: clusters counted by the server."""

import json

import pytest
from django.urls import reverse

from civicgrid.cases import queries
from civicgrid.cases.models import CLOSED_ORDER, Case, OpenMapCount
from civicgrid.cases.services import mark_overdue
from civicgrid.cases.tests import factories as f

# A line of cases about 20 m apart inside grid 11 of the test district.
SPACING = 0.0002


def cases_in_a_row(operator, district, category, n=6):
    lng, lat = f.point_in(district["grid11"])
    return [
        f.make_case(actor=operator, category=category, lng=lng + i * SPACING, lat=lat)
        for i in range(n)
    ]


def on_map(client, **params):
    response = client.get(reverse("cases:cases_geojson"), params)
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def shown_cases(collection) -> int:
    """The cases a collection stands for: one per point, a cluster's count."""
    return sum(
        feature["properties"]["count"] if feature["properties"].get("cluster") else 1
        for feature in collection["features"]
    )


@pytest.fixture
def few_points(monkeypatch):
    """Clusters from the fourth case on, so a handful of cases shows them."""
    monkeypatch.setattr(queries, "MAP_POINTS_MAX", 3)


def test_more_open_cases_than_points_come_as_one_cluster_counting_them_all(
    client, leader, operator, district, category, few_points
):
    cases_in_a_row(operator, district, category)
    client.force_login(leader)
    collection = on_map(client, zoom=3)
    (cluster,) = collection["features"]
    assert cluster["properties"]["cluster"] is True
    assert cluster["properties"]["count"] == 6
    assert collection["total"] == 6
    assert collection["clustered"] is True


def test_zooming_in_splits_a_cluster_into_the_cases_themselves(
    client, leader, operator, district, category, few_points
):
    made = cases_in_a_row(operator, district, category)
    client.force_login(leader)
    collection = on_map(client, zoom=22)
    numbers = {feature["properties"].get("number") for feature in collection["features"]}
    assert numbers == {case.number for case in made}
    assert collection["total"] == 6


def test_the_points_and_the_counts_always_add_up_to_every_open_case(
    client, leader, operator, district, category, few_points
):
    cases_in_a_row(operator, district, category, n=8)
    client.force_login(leader)
    for zoom in range(3, 23):
        collection = on_map(client, zoom=zoom)
        assert shown_cases(collection) == collection["total"] == 8, zoom


def test_only_the_cases_inside_the_box_in_view_are_counted(
    client, leader, operator, district, category, few_points
):
    made = cases_in_a_row(operator, district, category)
    client.force_login(leader)
    first = made[0]
    west, east = first.lng - SPACING / 2, first.lng + 2.5 * SPACING
    box = f"{west},{first.lat - 0.001},{east},{first.lat + 0.001}"
    collection = on_map(client, bbox=box, zoom=22)
    assert collection["total"] == 3
    assert {feat["properties"]["number"] for feat in collection["features"]} == {
        case.number for case in made[:3]
    }


def test_a_cluster_tells_how_many_of_its_cases_are_overdue(
    client, leader, operator, district, category, few_points
):
    made = cases_in_a_row(operator, district, category)
    type(made[0]).objects.filter(pk=made[0].pk).update(due_at=made[0].created_at)
    client.force_login(leader)
    # Close by, the cases are read: at once. From afar, the counts: once the scan marked it.
    near = on_map(client, zoom=15)["features"]
    assert sum(f["properties"].get("red", f["properties"].get("light") == "red") for f in near) == 1
    assert on_map(client, zoom=3)["features"][0]["properties"]["red"] == 0
    mark_overdue()
    (cluster,) = on_map(client, zoom=3)["features"]
    assert cluster["properties"]["red"] == 1


def _recount() -> dict:
    rows = OpenMapCount.objects.filter(open_cases__gt=0).values_list(
        "region_path", "owner", "open_cases", "overdue_cases"
    )
    return {(path, owner): (n, red) for path, owner, n, red in rows}


def _counted_afresh() -> dict:
    found: dict = {}
    for case in Case.objects.exclude(status__in=CLOSED_ORDER).exclude(lat=None).exclude(lng=None):
        key = (case.region_path, case.owner_region_id or 0)
        n, red = found.get(key, (0, 0))
        marked = case.overdue_marked_for is not None and case.overdue_marked_for == case.due_at
        found[key] = (n + 1, red + marked)
    return found


def test_the_open_counts_per_grid_follow_every_change_of_the_cases(operator, district, category):
    made = cases_in_a_row(operator, district, category)
    assert _recount() == _counted_afresh()
    assert sum(n for n, _ in _recount().values()) == 6
    Case.objects.filter(pk=made[0].pk).update(status="closed")  # a bulk update
    Case.objects.filter(pk=made[1].pk).update(
        grid=district["grid12"], region_path=district["grid12"].path
    )
    Case.objects.filter(pk=made[2].pk).update(due_at=made[2].created_at)
    mark_overdue()
    Case.objects.filter(pk=made[3].pk).delete()
    f.make_case(actor=operator, category=category)  # not placed: not on the map
    assert _recount() == _counted_afresh()
    assert sum(n for n, _ in _recount().values()) == 4
    assert sum(red for _, red in _recount().values()) == 1


def test_from_afar_the_counts_of_the_grids_add_up_to_every_open_case_in_view(
    client, leader, grid_worker, operator, district, category, few_points
):
    cases_in_a_row(operator, district, category)
    # A case with no grid is read one by one; so is one the grid worker filed elsewhere.
    lng, lat = f.point_in(district["grid11"])
    loose = f.make_case(actor=operator, category=category, lng=lng, lat=lat)
    Case.objects.filter(pk=loose.pk).update(grid=None, region_path="")
    lng, lat = f.point_in(district["grid21"])
    theirs = f.make_case(actor=operator, category=category, lng=lng, lat=lat)
    Case.objects.filter(pk=theirs.pk).update(created_by=grid_worker)
    client.force_login(leader)
    for zoom in (3, 8, 12, 13):
        collection = on_map(client, zoom=zoom)
        assert shown_cases(collection) == collection["total"] == 8, zoom
    client.force_login(grid_worker)
    collection = on_map(client, zoom=12)
    assert shown_cases(collection) == collection["total"] == 7


def test_a_box_that_is_not_four_numbers_shows_every_case(
    client, leader, operator, district, category
):
    cases_in_a_row(operator, district, category, n=2)
    client.force_login(leader)
    assert on_map(client, bbox="1,2,nan,x", zoom="big")["total"] == 2


def test_the_clusters_of_an_outsider_hold_nothing(
    client, outsider, operator, district, category, few_points
):
    cases_in_a_row(operator, district, category)
    client.force_login(outsider)
    collection = on_map(client, zoom=3)
    assert collection["features"] == []
    assert collection["total"] == 0


@pytest.mark.browser
def test_the_city_map_shows_a_cluster_count_and_clicking_it_shows_its_cases(
    live_server, page, sign_in, shot, leader, operator, district, category, few_points
):
    cases_in_a_row(operator, district, category)
    sign_in(page, live_server.url, username=leader.username)
    page.goto(f"{live_server.url}{reverse('analytics:map')}")
    page.wait_for_selector("#city-map[data-cases-loaded]")
    counts = [int(t.replace(",", "")) for t in page.locator(".map-cluster").all_inner_texts()]
    assert sum(counts) <= 6
    assert max(counts, default=0) >= 2
    assert "6" in page.locator(".map-in-view").inner_text()
    shot(page, "city-map-clusters")
    loaded = page.locator("#city-map").get_attribute("data-cases-loaded")
    biggest = page.locator(".map-cluster", has_text=str(max(counts))).first
    biggest.click()
    page.wait_for_function(
        "loaded => document.querySelector('#city-map').dataset.casesLoaded !== loaded", arg=loaded
    )
    page.wait_for_timeout(300)
    after = [int(t) for t in page.locator(".map-cluster").all_inner_texts()]
    assert all(n < max(counts) for n in after)
    shot(page, "city-map-clusters-split")
