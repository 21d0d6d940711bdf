"""One adapter per source kind: check a payload and turn it into a normalised ``Alert``.

Each adapter declares its payload (a pydantic schema: unknown fields are ignored, so a
platform may send more than we read), the alert types it knows and how a reading maps
to urgency. Titles and contents are written in Chinese: they are the case's text, read
by the centre and the departments, not interface strings. Payload schemas with
examples are in docs/alerts.md.
"""

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field
from pydantic import ValidationError

from civicgrid.core.api import Input, invalid_message, validation_errors
from civicgrid.core.datetimes import DataTime
from civicgrid.routing.models import RequestType, Urgency

from .models import SourceKind

# How far in the future ``observed_at`` may be before the device clock is wrong.
CLOCK_SKEW = timedelta(minutes=10)
# Payloads are a few flat fields; deeper nesting is a mistake or an attack.
MAX_JSON_DEPTH = 20
URGENCY_RANK = {Urgency.URGENT: 0, Urgency.SAME_DAY: 1, Urgency.NORMAL: 2}


class AlertInvalid(Exception):
    """A payload that cannot be read; ``errors`` name the fields (translated)."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        self.message = invalid_message(errors)
        super().__init__(self.message)


def invalid(name: str, message: str) -> AlertInvalid:
    return AlertInvalid([{"field": name, "message": str(message)}])


@dataclass
class Alert:
    """What any source's alert means for a case, whatever its payload looked like."""

    external_id: str
    alert_type: str
    lng: float
    lat: float
    datum: str
    observed_at: datetime
    title: str
    content: str
    summary: str
    urgency: str = Urgency.NORMAL
    category_code: str = ""
    request_type: str = RequestType.HELP
    address: str = ""
    evidence_url: str = ""
    values: dict = field(default_factory=dict)
    # Shown to staff only, on the internal timeline event (a masked plate number).
    internal: dict = field(default_factory=dict)
    # False for a reading that needs no case (a water level below its threshold).
    makes_case: bool = True


def worse(urgency: str, than: str) -> bool:
    return URGENCY_RANK.get(urgency, 2) < URGENCY_RANK.get(than, 2)


# --- what every payload shares --------------------------------------------------------

Datum = Literal["wgs84", "gcj02", "bd09"]
Id = Field(min_length=1, max_length=100)
Url = Field("", max_length=500)


class Positioned(Input):
    lng: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    datum: Datum = "wgs84"
    # A naive time is taken as local (as sensors send); the type makes it aware.
    observed_at: DataTime


def _when(value: datetime) -> datetime:
    """The observation time, refused when ahead of our clock by more than the skew."""
    if value > timezone.now() + CLOCK_SKEW:
        raise invalid("observed_at", _("This time is in the future: check the device clock."))
    return value


def _url(name: str, value: str) -> str:
    value = value.strip()
    if value and not value.lower().startswith(("http://", "https://")):
        raise invalid(name, _("Give an http:// or https:// address."))
    return value


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _category(options: dict, alert_type: str) -> str:
    codes = options.get("categories") or {}
    return str(codes.get(alert_type) or options.get("category") or "")


def _json(body: str):
    """The parsed body, refused (not retried) when too deeply nested to be an alert."""
    too_deep = invalid(
        "body", _("The JSON is nested more than %(n)d levels deep.") % {"n": MAX_JSON_DEPTH}
    )
    try:
        data = json.loads(body)
    except RecursionError:  # thousands of levels: the parser itself gives up
        raise too_deep from None
    except ValueError as exc:
        raise invalid(
            "body", _("The body is not valid JSON: %(problem)s") % {"problem": exc}
        ) from exc
    if _nesting(data) > MAX_JSON_DEPTH:
        raise too_deep
    return data


def _nesting(data) -> int:
    """How deeply objects and arrays nest in ``data``, level by level (no recursion)."""
    depth, level = 0, [data]
    while level := [value for value in level if isinstance(value, dict | list)]:
        depth += 1
        if depth > MAX_JSON_DEPTH:
            break
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
        ]
    return depth


class Adapter(ABC):
    """Reads one source kind's payload into an :class:`Alert` (one subclass per kind)."""

    kind: str
    payload: type[Positioned]
    # alert type → its Chinese name, as it appears in titles.
    types: dict[str, str]

    def parse(self, body: str, options: dict) -> Alert:
        """The alert in ``body``; raises ``AlertInvalid`` naming what is wrong."""
        data = _json(body)
        if not isinstance(data, dict):
            raise invalid("body", _("Send one JSON object."))
        try:
            given = self.payload.model_validate(data)
        except ValidationError as exc:
            raise AlertInvalid(
                [
                    {"field": e["field"], "message": e["message"]}
                    for e in validation_errors(exc.errors())
                ]
            ) from exc
        return self.read(given, options)

    @abstractmethod
    def read(self, given, options: dict) -> Alert:
        """The alert in a payload that passed ``self.payload``'s validation."""

    def option_errors(self, options: dict) -> list[str]:
        return []


# --- 1. flood water level -------------------------------------------------------------


class FloodPayload(Positioned):
    station_id: str = Id
    station_name: str = Field(min_length=1, max_length=100)
    level_m: float = Field(allow_inf_nan=False)
    threshold_m: float | None = Field(None, allow_inf_nan=False)
    trend: Literal["rising", "steady", "falling"] = "steady"
    url: str = Url


TRENDS = {"rising": "仍在上涨", "steady": "基本持平", "falling": "开始回落"}


class FloodLevel(Adapter):
    """A gauge over its warning level (超警戒水位): same-day, urgent when far over."""

    kind = SourceKind.FLOOD
    payload = FloodPayload
    types = {"high_water": "水位超警戒"}
    URGENT_MARGIN_M = 0.5

    def read(self, given: FloodPayload, options: dict) -> Alert:
        threshold = given.threshold_m
        if threshold is None:
            threshold = options.get("threshold_m")
        if threshold is None:
            raise invalid(
                "threshold_m", _("Give the warning level, or set threshold_m on the source.")
            )
        threshold = float(threshold)
        excess = given.level_m - threshold
        margin = float(options.get("urgent_margin_m", self.URGENT_MARGIN_M))
        observed = _when(given.observed_at)
        summary = (
            f"水位 {given.level_m:.2f} 米（警戒 {threshold:.2f} 米，"
            f"{'超' if excess > 0 else '低于警戒'} {abs(excess):.2f} 米，{TRENDS[given.trend]}）"
        )
        return Alert(
            external_id=given.station_id,
            alert_type="high_water",
            lng=given.lng,
            lat=given.lat,
            datum=given.datum,
            observed_at=observed,
            title=f"水位超警戒：{given.station_name}"[:200],
            content=(
                f"{given.station_name}（站点 {given.station_id}）{_local(observed)} 水位 "
                f"{given.level_m:.2f} 米，超过警戒水位 {threshold:.2f} 米 {excess:.2f} 米，"
                f"{TRENDS[given.trend]}。请核实周边积水、内涝情况并组织处置。"
            ),
            summary=summary,
            urgency=Urgency.URGENT if excess >= margin else Urgency.SAME_DAY,
            category_code=_category(options, "high_water"),
            address=given.station_name,
            evidence_url=_url("url", given.url),
            values={"level_m": given.level_m, "threshold_m": threshold, "trend": given.trend},
            makes_case=excess > 0,
        )

    def option_errors(self, options: dict) -> list[str]:
        errors = []
        for name in ("threshold_m", "urgent_margin_m"):
            value = options.get(name)
            if value is not None and not isinstance(value, int | float):
                errors.append(_("%(name)s must be a number of metres.") % {"name": name})
        return errors


# --- 2. fire-risk alert ---------------------------------------------------------------


class FirePayload(Positioned):
    platform_id: str = Field("", max_length=100)
    detector_id: str = Id
    alert_id: str = Id
    kind: Literal["smoke", "temperature", "electrical"]
    level: int = Field(ge=1, le=4)
    building: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    value: float | None = Field(None, allow_inf_nan=False)
    unit: str = Field("", max_length=10)
    image_url: str = Url


FIRE_LEVELS = {1: "一级（红色）", 2: "二级（橙色）", 3: "三级（黄色）", 4: "四级（蓝色）"}


class FireRisk(Adapter):
    """A smoke, temperature or electrical-fire detector alarm (智慧消防).

    Levels follow China's warning levels: 1 is the most severe (Ⅰ级, red), 4 the least.
    Levels 1–2 are urgent, 3 same-day, 4 normal.
    """

    kind = SourceKind.FIRE
    payload = FirePayload
    types = {"smoke": "烟感告警", "temperature": "温感告警", "electrical": "电气火灾告警"}
    URGENCY_OF_LEVEL = {1: Urgency.URGENT, 2: Urgency.URGENT, 3: Urgency.SAME_DAY}

    def read(self, given: FirePayload, options: dict) -> Alert:
        observed = _when(given.observed_at)
        place = given.building or given.address or given.detector_id
        where = (
            f"{given.building}（{given.address}）" if given.building and given.address else place
        )
        name = self.types[given.kind]
        reading = f"，读数 {given.value:g}{given.unit}" if given.value is not None else ""
        level = FIRE_LEVELS[given.level]
        return Alert(
            external_id=given.alert_id,
            alert_type=given.kind,
            lng=given.lng,
            lat=given.lat,
            datum=given.datum,
            observed_at=observed,
            title=f"火灾风险预警：{place}{name}"[:200],
            content=(
                f"{where}的探测器 {given.detector_id} "
                f"于 {_local(observed)} 发出{name}，预警等级{level}{reading}。"
                "请立即核实现场情况，排除火灾隐患。"
            ),
            summary=f"{name}，{level}{reading}",
            urgency=self.URGENCY_OF_LEVEL.get(given.level, Urgency.NORMAL),
            category_code=_category(options, given.kind),
            address=" ".join(p for p in (given.building, given.address) if p),
            evidence_url=_url("image_url", given.image_url),
            values={
                "level": given.level,
                "kind": given.kind,
                "detector_id": given.detector_id,
                **({"value": given.value, "unit": given.unit} if given.value is not None else {}),
            },
        )


# --- 3. video analytics ---------------------------------------------------------------


class VideoPayload(Positioned):
    camera_id: str = Id
    event_id: str = Id
    event_type: Literal["illegal_parking", "street_vending"]
    snapshot_url: str = Field(min_length=1, max_length=500)
    location_name: str = Field("", max_length=100)
    plate: str = Field("", max_length=20)
    confidence: float | None = Field(None, ge=0, le=1)


def mask_plate(plate: str) -> str:
    """鲁E12345 → 鲁E***45: enough to match the car on site, not to look its owner up."""
    plate = plate.strip().replace("·", "").replace(" ", "")
    if len(plate) <= 4:
        return "*" * len(plate)
    return plate[:2] + "*" * (len(plate) - 4) + plate[-2:]


class VideoAnalytics(Adapter):
    """A camera's illegal-parking or street-vending event (视频智能分析).

    The plate number is personal data: it stays in the stored request (superusers
    only) and appears masked on the internal timeline event, never in the case text.
    """

    kind = SourceKind.VIDEO
    payload = VideoPayload
    types = {"illegal_parking": "违规停车", "street_vending": "占道经营"}

    def read(self, given: VideoPayload, options: dict) -> Alert:
        observed = _when(given.observed_at)
        name = self.types[given.event_type]
        place = given.location_name or f"摄像头 {given.camera_id}"
        return Alert(
            external_id=given.event_id,
            alert_type=given.event_type,
            lng=given.lng,
            lat=given.lat,
            datum=given.datum,
            observed_at=observed,
            title=f"视频监控发现{name}：{place}"[:200],
            content=(
                f"摄像头 {given.camera_id} 于 {_local(observed)} 在{place}识别到{name}。"
                "请核实现场并依法处置。"
            ),
            summary=f"{name}（摄像头 {given.camera_id}）",
            category_code=_category(options, given.event_type),
            request_type=RequestType.COMPLAINT,
            address=given.location_name,
            evidence_url=_url("snapshot_url", given.snapshot_url),
            values={"camera_id": given.camera_id, "confidence": given.confidence},
            internal={"plate": mask_plate(given.plate)} if given.plate.strip() else {},
        )


ADAPTERS: dict[str, Adapter] = {a.kind: a for a in (FloodLevel(), FireRisk(), VideoAnalytics())}


def adapter_for(kind: str) -> Adapter:
    return ADAPTERS[kind]


def option_errors(kind: str, options) -> list[str]:
    """What is wrong with a source's options (translated), for the admin form."""
    from civicgrid.routing.models import Category

    if not isinstance(options, dict):
        return [_("Options must be a JSON object.")]
    errors = []
    codes = options.get("categories") or {}
    if not isinstance(codes, dict):
        return [_("“categories” must map alert types to category codes.")]
    adapter = ADAPTERS.get(kind)
    if adapter is not None:
        for alert_type in codes:
            if alert_type not in adapter.types:
                errors.append(
                    _("Unknown alert type “%(type)s”; this kind sends: %(types)s.")
                    % {"type": alert_type, "types": ", ".join(adapter.types)}
                )
        errors.extend(adapter.option_errors(options))
    wanted = {str(c) for c in codes.values() if c}
    if options.get("category"):
        wanted.add(str(options["category"]))
    known = set(Category.objects.filter(code__in=wanted).values_list("code", flat=True))
    errors.extend(
        _("There is no category %(code)s.") % {"code": code} for code in sorted(wanted - known)
    )
    return errors
