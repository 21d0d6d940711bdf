"""The alerts world: the test district, one source per kind, and a signed sender.

Categories are our own (not the demo taxonomy): a flood leaf, a fire leaf and a
city-management leaf, each with a department that handles it.
"""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.alerts.client import encode, signed_headers
from civicgrid.alerts.models import AlertSource, SourceKind
from civicgrid.cases.tests import factories as f

SECRET = "test-secret-of-the-platform"


@pytest.fixture
def categories(db):
    water = f.make_department("区水务局", code="SLJ")
    safety = f.make_department("区应急管理局", code="YJJ")
    enforcement = f.make_department("区综合行政执法局", code="ZFJ")
    found = {}
    for key, name, code, department in (
        ("flood", "防汛抗旱", "0716", water),
        ("fire", "安全隐患", "0103", safety),
        ("street", "城管执法", "0102", enforcement),
    ):
        found[key] = f.make_category(name, code=code)
        f.make_rule(found[key], department)
    return found


def _source(district, kind, slug, options):
    return AlertSource.objects.create(
        name=f"测试{slug}平台",
        slug=slug,
        kind=kind,
        secret=SECRET,
        region=district["district"],
        options=options,
    )


@pytest.fixture
def flood_source(district, categories):
    return _source(district, SourceKind.FLOOD, "flood", {"categories": {"high_water": "0716"}})


@pytest.fixture
def fire_source(district, categories):
    codes = {t: "0103" for t in ("smoke", "temperature", "electrical")}
    return _source(district, SourceKind.FIRE, "fire", {"categories": codes})


@pytest.fixture
def video_source(district, categories):
    codes = {"illegal_parking": "0102", "street_vending": "0102"}
    return _source(district, SourceKind.VIDEO, "video", {"categories": codes})


def observed(minutes_ago: float = 5) -> str:
    """An ``observed_at`` some minutes ago, as a sensor writes it (ISO 8601, +08:00)."""
    moment = timezone.localtime() - timedelta(minutes=minutes_ago)
    return moment.replace(microsecond=0).isoformat()


def flood_payload(district, **overrides) -> dict:
    lng, lat = f.point_in(district["grid11"])
    return {
        "station_id": "SW-0012",
        "station_name": "胜利河闸站",
        "lng": lng,
        "lat": lat,
        "level_m": 3.1,
        "threshold_m": 2.8,
        "trend": "rising",
        "observed_at": observed(),
        "url": "https://water.example.gov.cn/stations/SW-0012",
        **overrides,
    }


def fire_payload(district, **overrides) -> dict:
    lng, lat = f.point_in(district["grid12"])
    return {
        "platform_id": "XF-01",
        "detector_id": "DT-1002",
        "alert_id": "A-0001",
        "kind": "smoke",
        "level": 2,
        "lng": lng,
        "lat": lat,
        "building": "银座商城",
        "address": "府前大街59号",
        "observed_at": observed(),
        "image_url": "https://fire.example.gov.cn/snap/A-0001.jpg",
        **overrides,
    }


def video_payload(district, **overrides) -> dict:
    lng, lat = f.point_in(district["grid21"])
    return {
        "camera_id": "CAM-231",
        "event_id": "EV-0001",
        "event_type": "illegal_parking",
        "lng": lng,
        "lat": lat,
        "location_name": "黄河路与济南路路口",
        "snapshot_url": "https://video.example.gov.cn/CAM-231/0001.jpg",
        "plate": "鲁E12345",
        "observed_at": observed(),
        **overrides,
    }


def send(client, source, payload=None, *, body=None, delivery_id=None, timestamp=None, **kw):
    """POST a signed alert as the platform would; ``secret`` or headers may be overridden."""
    raw = body if body is not None else encode(payload)
    headers = signed_headers(
        kw.pop("secret", SECRET), raw, delivery_id or uuid.uuid4().hex, timestamp
    )
    headers.update(kw.pop("headers", {}))
    meta = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in headers.items()
        if name != "Content-Type"
    }
    return client.post(
        f"/alerts/{kw.pop('slug', source.slug)}/",
        data=raw,
        content_type="application/json",
        **meta,
        **kw,
    )


def answer(response) -> dict:
    return json.loads(response.content)
