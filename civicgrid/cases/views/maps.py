"""Open cases as GeoJSON for every map: grids with their open-case counts and street
outlines, and the case points, each within the user's scope."""

import hashlib
import json
import math

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotModified
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from civicgrid.regions import outlines
from civicgrid.regions.models import Level

from .. import queries
from ..scope import region_paths


def regions_on_map(user) -> list:
    """Streets and grids the map draws (``regions.outlines``, rendered once per version of
    the region tree): the user's region subtrees, or all for a department or an
    administrator (the map is geography, the counts are scoped)."""
    drawn = outlines.outlines()
    paths = region_paths(user)
    if not paths or user.is_superuser:
        return list(drawn)
    # Below the user's regions, plus the streets above them (a grid worker's street).
    above = {code for path in paths for code in path.split("/") if code}
    starts = tuple(paths)
    return [
        o
        for o in drawn
        if o.path.startswith(starts) or (o.level == Level.STREET and o.code in above)
    ]


@login_required
@require_GET
@gzip_page  # ~1 MB of polygons shrinks to a quarter; no secrets in it to leak (BREACH)
def grids_geojson(request):
    """Grids (with open-case counts) and street outlines as GeoJSON in WGS84.

    The outlines are rendered once per version of the region tree; the counts are the
    ones the database keeps per grid where the user sees all of a grid's cases
    (``queries.open_counts_by_grid``), else one aggregate query. The body carries an
    ETag, so a map that reloads it gets a 304 while nothing changed.
    """
    drawn = regions_on_map(request.user)
    grids = {region.path: region.pk for region in drawn if region.level == Level.GRID}
    counts = queries.open_counts_by_grid(request.user, grids)
    features = []
    for region in drawn:
        properties = {"code": region.code, "name": region.name, "level": region.level}
        if region.level == Level.GRID:
            properties.update(open=counts.get(region.pk, 0), kind=region.grid_kind)
        features.append(
            f'{{"type":"Feature","geometry":{region.geometry},"properties":{_json(properties)}}}'
        )
    return _geojson_body(
        request, '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    )


def _bbox(value: str):
    """``west,south,east,north`` in degrees, or None when absent or not four numbers."""
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None
    return (max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0))


def _zoom(value: str):
    try:
        return round(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _point(row: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [row["lng"], row["lat"]]},
        "properties": {
            "number": row["number"],
            "title": row["title"],
            "status": row["status"],
            "light": queries.light_of(row["due_at"], row["warn_at"]),
        },
    }


def _cluster(cluster: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [cluster["lng"], cluster["lat"]]},
        "properties": {
            "cluster": True,
            "count": cluster["count"],
            "red": cluster["red"],
            "bounds": cluster["bounds"],
        },
    }


@login_required
@require_GET
@gzip_page
def cases_geojson(request):
    """Every open case in the user's scope as points, or as clusters with counts.

    ``?bbox=west,south,east,north&zoom=z`` (what the map shows) limits the cases to the box
    and sets the cluster size; up to ``queries.MAP_POINTS_MAX`` cases come one by one, each
    with its traffic light. ``total`` is how many open cases the box holds: the points and
    the clusters' counts add up to it, nothing is left out.
    """
    found = queries.open_on_map(
        request.user, bbox=_bbox(request.GET.get("bbox", "")), zoom=_zoom(request.GET.get("zoom"))
    )
    features = [_cluster(c) for c in found.clusters] + [_point(row) for row in found.points]
    collection = {
        "type": "FeatureCollection",
        "total": found.total,
        "clustered": bool(found.clusters),
        "features": features,
    }
    return _geojson(request, collection)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _geojson(request, collection: dict) -> HttpResponse:
    return _geojson_body(request, _json(collection))


def _geojson_body(request, body: str) -> HttpResponse:
    etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    # gzip turns the ETag weak (W/"…"); the body it stands for is the same.
    if request.headers.get("If-None-Match", "").removeprefix("W/") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/geo+json")
    response["ETag"] = etag
    # Private: the counts depend on who asks. Revalidated each time, cheap with the ETag.
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    return response
