"""The maps' outlines and the region list, rendered once per version of their table.

What a user notices: an administrator's edit shows in the very next answer — whichever
process built the body before, since the version is read from the database each time —
a map that holds the body gets a 304, and an unchanged body costs one small query.
"""

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.core import bodies
from civicgrid.regions.models import Region

pytestmark = pytest.mark.django_db


def _names(response) -> set[str]:
    return {f["properties"]["name"] for f in json.loads(response.content)["features"]}


def _rename_elsewhere(model, pk: int, name: str) -> None:
    """What another process's edit leaves behind: new rows, nothing in this process."""
    model.objects.filter(pk=pk).update(name=name, updated_at=timezone.now())


def test_a_renamed_grid_is_on_the_next_public_map(client, district):
    grid = district["grid11"]
    assert grid.name in _names(client.get("/report/grids.geojson"))
    _rename_elsewhere(Region, grid.pk, "改名后的网格")
    assert "改名后的网格" in _names(client.get("/report/grids.geojson"))


def test_the_public_map_answers_304_while_the_regions_are_unchanged(client, district):
    first = client.get("/report/grids.geojson")
    assert first["Cache-Control"] == "public, max-age=300"
    again = client.get("/report/grids.geojson", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    _rename_elsewhere(Region, district["grid11"].pk, "改名后的网格")
    changed = client.get("/report/grids.geojson", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_a_body_another_process_built_is_served_with_one_query(client, district):
    plain = client.get("/report/grids.geojson").content
    bodies.forget()  # a fresh process: only the shared cache holds the body
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/report/grids.geojson", headers={"Accept-Encoding": "gzip"})
    assert len(queries) == 1  # the region table's version
    assert again["Content-Encoding"] == "gzip"
    assert gzip.decompress(again.content) == plain


def test_outlines_are_drawn_simplified_but_every_grid_is_there(client, district):
    features = json.loads(client.get("/report/grids.geojson").content)["features"]
    codes = {f["properties"]["code"] for f in features}
    assert district["grid11"].code in codes
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)
    assert codes == set(
        Region.objects.filter(level__in=("street", "grid"), boundary__isnull=False).values_list(
            "code", flat=True
        )
    )


def test_the_staff_map_shows_a_renamed_grid_at_once(client, leader, district):
    client.force_login(leader)
    _names(client.get("/map/grids.geojson"))
    _rename_elsewhere(Region, district["grid11"].pk, "改名后的网格")
    assert "改名后的网格" in _names(client.get("/map/grids.geojson"))


@pytest.fixture
def api(operator):
    _token, raw = ApiToken.issue(operator, "tests")
    headers = {"Authorization": f"Bearer {raw}"}

    def get(url, extra=None, **params):
        from django.test import Client

        return Client().get(url, params, headers={**headers, **(extra or {})})

    return get


def test_region_pages_are_kept_apart_and_follow_an_edit(api, district):
    page = api("/api/regions", level="grid", limit=2, offset=1).json()
    assert page["count"] == 4
    assert len(page["items"]) == 2
    other = api("/api/regions", level="grid", limit=2, offset=2).json()
    assert other["items"][0] == page["items"][1]
    _rename_elsewhere(Region, district["grid21"].pk, "改名后的网格")
    names = {r["name"] for r in api("/api/regions", level="grid").json()["items"]}
    assert "改名后的网格" in names
