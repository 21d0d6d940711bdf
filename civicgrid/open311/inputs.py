"""Reading the two POST bodies (form-encoded, as the spec says) into what services need.

Everything here only reads; bad input raises ``Open311Error`` naming the parameter.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases.models import Channel
from civicgrid.cases.services import Intake
from civicgrid.core.datetimes import Kind
from civicgrid.routing.models import Category, RequestType

from . import catalogue
from .params import Open311Error, invalid, moment, text

TITLE_LENGTH = 60
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_CJK = re.compile(r"^[\u3400-\u9fff·]+$")
# An absolute http(s) address with a valid host: it is shown to other clients as a link.
_URL = URLValidator(schemes=["http", "https"])
_STATUS = re.compile(r"^[A-Za-z_ ]{1,40}$")


@dataclass
class RequestInput:
    """A parsed ``POST requests``: the intake and the client's own identifiers."""

    intake: Intake
    address_id: str = ""
    account_id: str = ""
    device_id: str = ""


@dataclass
class UpdateInput:
    """A parsed ``POST servicerequestupdates``."""

    update_id: str
    service_request_id: str
    note: str
    data: dict = field(default_factory=dict)


def _number(data, name: str) -> float | None:
    value = text(data, name, 40)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        raise invalid(name, _("Enter a number in decimal degrees (WGS84)."))
    return number


def _position(data) -> tuple[float | None, float | None]:
    lat, lng = _number(data, "lat"), _number(data, "long")
    if (lat is None) != (lng is None):
        raise invalid("lat", _("Give both lat and long, or neither."))
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise invalid("lat", _("lat must be between -90 and 90 and long between -180 and 180."))
    return lat, lng


def _service(data) -> Category:
    code = text(data, "service_code", 20)
    if not code:
        raise invalid("service_code", _("This parameter is required."))
    category = catalogue.service(code)
    if category is None:
        raise invalid("service_code", _("There is no service %(code)s.") % {"code": code})
    return category


def _attribute_problem(spec: dict, values: list[str]) -> str | None:
    kind = catalogue.datatype_of(spec)
    if any(len(v) > 1000 or "\x00" in v for v in values):
        return _("At most 1000 characters, and no NUL characters.")
    if kind != "multivaluelist" and len(values) > 1:
        return _("Give one value.")
    if kind == "number":
        try:
            Decimal(values[0])
        except InvalidOperation:
            return _("Enter a number.")
    if kind in ("singlevaluelist", "multivaluelist"):
        keys = {v["key"] for v in catalogue.as_attribute(spec, 0).get("values", [])}
        if keys and any(v not in keys for v in values):
            return _("Choose one of: %(keys)s.") % {"keys": ", ".join(sorted(keys))}
    if kind == "datetime":
        try:
            moment({"value": values[0]}, "value", Kind.DATA)
        except Open311Error:
            return _("Give a date and time in ISO 8601 with its offset.")
    return None


def attributes(data, category: Category) -> dict:
    """``attribute[code]=value`` (``attribute[code][]=…`` for several), checked.

    Attributes the service does not define are ignored: FixMyStreet-style clients send
    their own (``attribute[title]`` …). A missing required one is left to intake's check.
    """
    given: dict[str, list[str]] = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if match:
            values = [v.strip() for v in data.getlist(key) if v.strip()]
            given.setdefault(match.group(1), []).extend(values)
    extra, problems = {}, []
    for spec in catalogue.fields_of(category):
        code = str(spec["name"])
        values = given.get(code, [])
        if not values:
            continue
        problem = _attribute_problem(spec, values)
        if problem:
            problems.append(
                _("%(param)s: %(problem)s") % {"param": f"attribute[{code}]", "problem": problem}
            )
            continue
        kind = catalogue.datatype_of(spec)
        extra[code] = values if kind == "multivaluelist" else values[0]
    if problems:
        raise Open311Error(400, *problems)
    return extra


def _reporter_name(first: str, last: str) -> str:
    if first and last and _CJK.match(first) and _CJK.match(last):
        return last + first  # 姓 before 名
    return " ".join(part for part in (first, last) if part)


def _title(description: str, service_name: str) -> str:
    lines = [line.strip() for line in description.splitlines() if line.strip()]
    if not lines:
        return service_name
    first = lines[0]
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1] + "…"


def _request_type(data, category: Category) -> str:
    """Open311 has no request type: a citizen asks for help unless the category says otherwise.

    ``request_type`` (an extension) names one; intake refuses it if the category does not
    take it.
    """
    given = text(data, "request_type", 20)
    if given and given not in RequestType.values:
        raise invalid(
            "request_type", _("Use one of: %(types)s.") % {"types": ", ".join(RequestType.values)}
        )
    if given or category.allows(RequestType.HELP):
        return given or RequestType.HELP
    return category.request_types[0]


def _media_url(data) -> str:
    url = text(data, "media_url", 1000)
    if url:
        try:
            _URL(url)
        except ValidationError as exc:
            raise invalid("media_url", _("Give an http or https address.")) from exc
    return url


def request_input(data) -> RequestInput:
    """What a ``POST requests`` body asks for (the place as WGS84 lat/long and/or address)."""
    category = _service(data)
    lat, lng = _position(data)
    address, address_id = text(data, "address_string", 255), text(data, "address_id", 100)
    if lat is None and not address and not address_id:
        raise Open311Error(
            400, _("lat/long: give the place as lat and long, address_string or address_id.")
        )
    description = text(data, "description", 4000)
    extra = attributes(data, category)
    if media_url := _media_url(data):
        extra["media_url"] = media_url
    intake = Intake(
        channel=Channel.OPEN311,
        title=_title(description, category.name),
        content=description or category.name,
        category=category,
        request_type=_request_type(data, category),
        lat=lat,
        lng=lng,
        datum="wgs84",
        address=address,
        reporter_name=_reporter_name(text(data, "first_name", 24), text(data, "last_name", 24)),
        reporter_phone=text(data, "phone", 20),
        extra=extra,
    )
    return RequestInput(
        intake=intake,
        address_id=address_id,
        account_id=text(data, "account_id", 100),
        device_id=text(data, "device_id", 100),
    )


def update_input(data, *, source: str) -> UpdateInput:
    """What a ``POST servicerequestupdates`` body says; ``source`` names the client."""
    update_id = text(data, "update_id", 100)
    if not update_id:
        raise invalid("update_id", _("This parameter is required."))
    number = text(data, "service_request_id", 20)
    if not number:
        raise invalid("service_request_id", _("This parameter is required."))
    status = text(data, "status", 40)
    if status and not _STATUS.match(status):
        raise invalid("status", _("Use open or closed."))
    note, media_url = text(data, "description", 4000), _media_url(data)
    if not note and not media_url:
        raise invalid("description", _("Write the update, or give a media_url."))
    said_at = moment(data, "updated_datetime", Kind.DATA)
    event_data: dict = {"source": source, "update_id": update_id}
    if status:
        event_data["reported_status"] = status.lower()
    if media_url:
        event_data["media_url"] = media_url
    if said_at:
        event_data["updated_datetime"] = timezone.localtime(said_at).isoformat()
    return UpdateInput(update_id, number, note, event_data)
