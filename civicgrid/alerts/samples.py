"""Realistic payloads of each source kind, for the demo command and for benchmarks."""

import random
import uuid

from django.utils import timezone

from .models import SourceKind

STATIONS = [("胜利河闸站", "SW-0012"), ("广利河东城站", "SW-0031"), ("溢洪河西城站", "SW-0047")]
BUILDINGS = [
    ("银座商城", "府前大街59号"),
    ("东城农贸市场", "济南路88号"),
    ("西城汽车站", "黄河路299号"),
]
CROSSINGS = ["黄河路与济南路路口", "西四路与北一路路口", "府前大街东首", "东营区政务中心南门"]


def sample(kind: str, alert_type: str = "", *, lng: float, lat: float, rng=None, **overrides):
    """One payload of ``kind`` at (lng, lat) WGS84, observed now; ``overrides`` win."""
    rng = rng or random.Random()
    now = timezone.localtime().replace(microsecond=0).isoformat()
    position = {"lng": round(lng, 6), "lat": round(lat, 6), "datum": "wgs84", "observed_at": now}
    if kind == SourceKind.FLOOD:
        name, station = rng.choice(STATIONS)
        payload = {
            "station_id": station,
            "station_name": name,
            "level_m": round(2.8 + rng.uniform(0.1, 0.9), 2),
            "threshold_m": 2.8,
            "trend": rng.choice(["rising", "steady"]),
            "url": f"https://water.example.gov.cn/stations/{station}",
        }
    elif kind == SourceKind.FIRE:
        building, address = rng.choice(BUILDINGS)
        alert_type = alert_type or rng.choice(["smoke", "temperature", "electrical"])
        payload = {
            "platform_id": "XF-DY-01",
            "detector_id": f"DT-{rng.randint(1000, 9999)}",
            "alert_id": f"A{uuid.uuid4().hex[:12]}",
            "kind": alert_type,
            "level": rng.choice([1, 2, 3, 3, 4]),
            "building": building,
            "address": address,
            "image_url": f"https://fire.example.gov.cn/snapshots/{uuid.uuid4().hex[:8]}.jpg",
        }
        if alert_type == "temperature":
            payload.update(value=round(rng.uniform(58, 75), 1), unit="℃")
    else:
        camera = f"CAM-{rng.randint(100, 999)}"
        payload = {
            "camera_id": camera,
            "event_id": f"EV{uuid.uuid4().hex[:14]}",
            "event_type": alert_type or rng.choice(["illegal_parking", "street_vending"]),
            "location_name": rng.choice(CROSSINGS),
            "snapshot_url": f"https://video.example.gov.cn/{camera}/{uuid.uuid4().hex[:8]}.jpg",
            "confidence": round(rng.uniform(0.8, 0.99), 2),
        }
        if payload["event_type"] == "illegal_parking":
            payload["plate"] = f"鲁E{rng.randint(10000, 99999)}"
    return {**payload, **position, **overrides}
