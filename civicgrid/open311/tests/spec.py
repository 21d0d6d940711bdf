"""Checking responses against the GeoReport v2 schemas (``schemas/``), in both formats.

The JSON schemas come from open311/schema-validation (see ``schemas/README.md``).
Responses without a schema there (discovery, errors, updates, the POST and token
answers) are checked against the swagger definitions or against small schemas below,
written from the spec's text. An XML response must carry exactly the JSON's content.
"""

import json
import re
import xml.etree.ElementTree as ET  # noqa: N817
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from civicgrid.open311.formats import ITEM

SCHEMAS = Path(__file__).parent / "schemas"
FILES = ("service", "services", "service-definition", "request", "requests", "swagger")
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "type", "formats"],
                "properties": {
                    "formats": {"type": "array", "items": {"type": "string"}},
                    "type": {"enum": ["production", "test"]},
                },
            },
        }
    },
}
UPDATES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["update_id", "service_request_id", "status", "updated_datetime"],
        "properties": {
            "update_id": {"type": "string"},
            "service_request_id": {"type": "string"},
            "status": {"enum": ["open", "closed"]},
            "updated_datetime": {"type": "string"},
            "description": {"type": ["string", "null"]},
            "media_url": {"type": ["string", "null"]},
        },
    },
}
POSTED_UPDATES = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "object", "required": ["update_id"]},
}


def without_null_strings(schema):
    """``schema`` with ``null`` no longer allowed where it also allows a string.

    The schemas accept ``null`` for most string fields, but the spec (and its swagger
    description) types them as strings, and clients parsing by the spec choke on null.
    """
    if isinstance(schema, list):
        return [without_null_strings(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: without_null_strings(value) for key, value in schema.items()}
    options = schema.get("anyOf")
    if options and any(option.get("type") == "string" for option in options):
        schema["anyOf"] = [option for option in options if option.get("type") != "null"]
    if schema.get("type") == ["string", "null"]:
        schema["type"] = "string"
    return schema


def _registry(strict: bool = False) -> Registry:
    resources = []
    for name in FILES:
        contents = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
        if strict:
            contents = without_null_strings(contents)
        resources.append((f"{name}.json", Resource.from_contents(contents, DRAFT4)))
    return Registry().with_resources(resources)


REGISTRY = _registry()
STRICT_REGISTRY = _registry(strict=True)


def _swagger_list(definition: str) -> dict:
    return {"type": "array", "items": {"$ref": f"swagger.json#/definitions/{definition}"}}


SCHEMA_OF = {
    "services": {"$ref": "services.json"},
    "service_definition": {"$ref": "service-definition.json"},
    "requests": {"$ref": "requests.json"},
    "posted": _swagger_list("RequestResponse"),
    "token": _swagger_list("TokenResponse"),
    "errors": ERRORS,
    "discovery": DISCOVERY,
    "updates": UPDATES,
    "posted_updates": POSTED_UPDATES,
}


def validate(kind: str, body, *, strict: bool = False) -> None:
    """Raise unless ``body`` (parsed JSON) matches the schema of ``kind``.

    ``strict``: and no field typed as a string is ``null`` (see ``without_null_strings``).
    """
    if strict:
        schema, registry = without_null_strings(SCHEMA_OF[kind]), STRICT_REGISTRY
    else:
        schema, registry = SCHEMA_OF[kind], REGISTRY
    Draft4Validator(schema, registry=registry).validate(body)
    if kind == "requests":
        for row in body:
            for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
                assert row[name] in (None, "") or OFFSET.match(row[name]), (name, row[name])


def from_xml(element: ET.Element):
    """XML back into the shape of the JSON: lists by the spec's item names, text as text."""
    children = list(element)
    if element.tag in ITEM:
        return [from_xml(child) for child in children]
    if children:
        return {child.tag: from_xml(child) for child in children}
    return element.text or ""


def as_text(value):
    """The JSON's content as the XML carries it: every scalar a string, None empty."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def both(client, path: str, kind: str, root: str, *, method: str = "get", status=200, **kw):
    """Call ``path`` as .json and .xml; check both and that they say the same; return JSON."""
    call = getattr(client, method)
    json_response = call(f"{path}.json", **kw)
    assert json_response.status_code == status, json_response.content.decode()
    assert json_response["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(json_response.content.decode("utf-8"))
    validate(kind, body, strict=True)
    if method == "post":
        return body  # posting twice would make two cases
    xml_response = call(f"{path}.xml", **kw)
    assert xml_response.status_code == status
    assert xml_response["Content-Type"] == "text/xml; charset=utf-8"
    assert xml_response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    element = ET.fromstring(xml_response.content)
    assert element.tag == root
    assert from_xml(element) == as_text(body)
    return body


def xml_of(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)
