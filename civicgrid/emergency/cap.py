"""A warning message as CAP 1.2 XML (OASIS Common Alerting Protocol), so other systems
(the 国家突发事件预警信息发布系统, broadcasters, apps) can carry it.

One ``<alert>`` per message: its ``identifier`` and ``sender`` (settings
``EMERGENCY_CAP_SENDER``, ``EMERGENCY_CAP_ID_PREFIX``), ``sent``, ``status`` (Actual;
Exercise for a drill's; Draft before approval), ``msgType`` (Alert, Update, Cancel),
``scope`` Public, ``references`` to every earlier message of the warning for an update
or a lift; one ``<info>`` in Chinese with the category, event, urgency, severity (from
the level: blue Minor … red Extreme), certainty, times, texts, the level as a
parameter, and the ``<area>`` with its polygon ("lat,lon" pairs, closed) and circle
("lat,lon radius-in-km").
"""

from datetime import datetime
from xml.etree import ElementTree as ET

from django.conf import settings
from django.utils import timezone

from .warning import MessageType, Warning, WarningState

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "civicgrid@yjj.dongying.gov.cn"
ID_PREFIX = "cn.civicgrid.warning"
SENDER_NAME = "应急指挥中心"


def sender() -> str:
    return getattr(settings, "EMERGENCY_CAP_SENDER", SENDER)


def identifier(warning: Warning) -> str:
    return f"{getattr(settings, 'EMERGENCY_CAP_ID_PREFIX', ID_PREFIX)}.{warning.pk}"


def cap_time(when: datetime) -> str:
    """CAP's dateTime: local time with its offset, never "Z" (CAP 1.2 §3.3.2)."""
    text = timezone.localtime(when).isoformat(timespec="seconds")
    return text.replace("+00:00", "-00:00") if text.endswith("+00:00") else text


def _sent(warning: Warning) -> datetime:
    return warning.sent_at or warning.drafted_at


def references(warning: Warning) -> str:
    """ "sender,identifier,sent" of every earlier sent message of the series."""
    if warning.msg_type == MessageType.ALERT:
        return ""
    earlier = (
        (
            Warning.objects.filter(pk=warning.series_id)
            | Warning.objects.filter(first_id=warning.series_id)
        )
        .exclude(pk=warning.pk)
        .exclude(state=WarningState.DRAFT)
        .order_by("sent_at", "pk")
    )
    return " ".join(f"{sender()},{identifier(m)},{cap_time(_sent(m))}" for m in earlier)


def _polygons(area: dict | None) -> list[str]:
    if not area:
        return []
    rings = (
        [area["coordinates"][0]]
        if area["type"] == "Polygon"
        else [polygon[0] for polygon in area["coordinates"]]
    )
    out = []
    for ring in rings:
        points = [(float(p[1]), float(p[0])) for p in ring]
        if points[0] != points[-1]:
            points.append(points[0])
        out.append(" ".join(f"{lat:.6f},{lng:.6f}" for lat, lng in points))
    return out


def _sub(parent: ET.Element, tag: str, text: str = "") -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text:
        element.text = text
    return element


def to_xml(warning: Warning) -> bytes:
    """The CAP 1.2 ``<alert>`` of ``warning``, UTF-8 with its XML declaration."""
    ET.register_namespace("", CAP_NS)
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(alert, "identifier", identifier(warning))
    _sub(alert, "sender", sender())
    _sub(alert, "sent", cap_time(_sent(warning)))
    if warning.state == WarningState.DRAFT:
        status = "Draft"
    elif warning.drill:
        status = "Exercise"
    else:
        status = "Actual"
    _sub(alert, "status", status)
    _sub(alert, "msgType", warning.msg_type)
    _sub(alert, "scope", "Public")
    if warning.note:
        _sub(alert, "note", warning.note)
    refs = references(warning)
    if refs:
        _sub(alert, "references", refs)
    info = _sub(alert, "info")
    _sub(info, "language", "zh-CN")
    _sub(info, "category", warning.category)
    _sub(info, "event", warning.event)
    _sub(info, "urgency", warning.urgency)
    _sub(info, "severity", warning.cap_severity)
    _sub(info, "certainty", warning.certainty)
    _sub(info, "onset", cap_time(warning.onset))
    _sub(info, "expires", cap_time(warning.expires))
    _sub(info, "senderName", getattr(settings, "EMERGENCY_CAP_SENDER_NAME", SENDER_NAME))
    _sub(info, "headline", warning.headline)
    if warning.description:
        _sub(info, "description", warning.description)
    if warning.instruction:
        _sub(info, "instruction", warning.instruction)
    parameter = _sub(info, "parameter")
    _sub(parameter, "valueName", "warningLevel")
    _sub(parameter, "value", warning.level)
    area = _sub(info, "area")
    _sub(area, "areaDesc", warning.area_desc)
    for polygon in _polygons(warning.area):
        _sub(area, "polygon", polygon)
    if warning.radius_m and warning.lat is not None and warning.lng is not None:
        _sub(area, "circle", f"{warning.lat:.6f},{warning.lng:.6f} {warning.radius_m / 1000:g}")
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)
