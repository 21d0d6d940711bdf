"""The two Open311 formats: the same data as JSON or as the spec's XML.

Views build plain Python values (dicts, lists, strings, numbers, booleans, None) and
``render`` writes them. XML follows the spec's examples: a root element per response
(``services``, ``service_requests`` …), one child per list item (``service``,
``request`` …), ``None`` as an empty element, booleans as ``true``/``false``.
"""

import json
import re
import xml.etree.ElementTree as ET  # noqa: N817 (the usual name)
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone

JSON = "json"
XML = "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "text/xml; charset=utf-8",
}
# What each list's items are called in XML.
ITEM = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "co_departments": "department",
}
# XML 1.0 forbids these characters even escaped; a case text pasted from a phone may hold one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def moment(value: datetime | None) -> str | None:
    """ISO 8601 with the local offset (``2026-11-22T09:30:00+08:00``), as the spec requires."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item = ITEM.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item), child)
    elif value is not None:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    """``value`` under the element ``root``, as UTF-8 XML with its declaration."""
    element = ET.Element(root)
    _fill(element, value)
    body = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def render(fmt: str, root: str, value, status: int = 200) -> HttpResponse:
    """A response in ``fmt``: JSON as is, XML under ``root``."""
    if fmt == XML:
        content = to_xml(root, value)
    else:
        content = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The spec's error list: ``[{"code": 400, "description": "…"}]``."""
    body = [{"code": status, "description": str(d)} for d in descriptions]
    return render(fmt, "errors", body, status=status)
