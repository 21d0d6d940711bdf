"""The staff map's grids carry their open-case counts, read from the kept counters."""

import json

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.cases.models import CLOSED_ORDER, Case
from civicgrid.cases.tests import factories as f


def grid_counts(client) -> dict[str, int]:
    response = client.get(reverse("cases:grids_geojson"))
    assert response.status_code == 200
    features = json.loads(response.content)["features"]
    return {
        x["properties"]["code"]: x["properties"]["open"]
        for x in features
        if "open" in x["properties"]
    }


def counted_afresh() -> dict[str, int]:
    rows = (
        Case.objects.exclude(status__in=CLOSED_ORDER)
        .filter(grid__isnull=False)
        .values_list("grid__code")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def test_the_grid_counts_equal_a_count_of_the_open_cases_as_they_open_close_and_move(
    client, leader, operator, district, category
):
    made = [
        f.make_case(actor=operator, grid=district["grid11"], category=category) for _ in range(3)
    ]
    made.append(f.make_case(actor=operator, grid=district["grid21"], category=category))
    client.force_login(leader)
    assert grid_counts(client)[district["grid11"].code] == 3
    Case.objects.filter(pk=made[0].pk).update(status="closed")
    lng, lat = f.point_in(district["grid12"])
    grid12 = district["grid12"]
    Case.objects.filter(pk=made[1].pk).update(
        grid=grid12, region_path=grid12.path, lng=lng, lat=lat
    )
    # A case given a grid but no point: not on the map's points, still the grid's.
    Case.objects.filter(pk=made[3].pk).update(lat=None, lng=None)
    f.make_case(actor=operator, grid=district["grid21"], category=category)
    with CaptureQueriesContext(connection) as ran:
        counts = grid_counts(client)
    assert {code: n for code, n in counts.items() if n} == counted_afresh()
    assert counts == {
        district["grid11"].code: 1,
        district["grid12"].code: 1,
        district["grid21"].code: 2,
        district["grid22"].code: 0,
    }
    assert any("cases_openmapcount" in q["sql"] for q in ran.captured_queries)


def test_each_viewer_counts_only_the_cases_they_may_see(
    client, leader, grid_worker, outsider, operator, district, category
):
    for grid in ("grid11", "grid12", "grid21"):
        f.make_case(actor=operator, grid=district[grid], category=category)
    client.force_login(grid_worker)  # sees every case of the two grids drawn for them
    assert grid_counts(client) == {district["grid11"].code: 1, district["grid12"].code: 1}
    client.force_login(outsider)  # no region: every grid drawn, none of its cases counted
    counts = grid_counts(client)
    assert len(counts) == 4
    assert set(counts.values()) == {0}
