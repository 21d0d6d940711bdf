"""What every app's API module shares: the input base class, input errors, the error shape.

The handlers that turn these into responses live in ``civicgrid/api.py``.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.renderers import JSONRenderer
from ninja.schema import DjangoGetter
from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class Input(Schema):
    """Base of every input: no NUL characters, which PostgreSQL can neither store nor compare."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        if _has_nul(value):
            raise PydanticCustomError("nul_character", "NUL characters are not allowed")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler, info: ValidationInfo) -> Any:
        """Schema's, minus its ``DjangoGetter`` wrapper for what needs none: an input is
        a parsed body or query (a dict) and reads no model attributes nor resolvers (the
        wrapper cost a twenty-fifth of an intake's CPU)."""
        if not isinstance(values, dict) or cls._ninja_resolvers:  # type: ignore[attr-defined]
            values = DjangoGetter(values, cls, info.context)
        return handler(values)


# Every API error's code, from its HTTP status (``cases.refusals`` gives the status).
CODE_OF_STATUS = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "throttled",
    500: "server_error",
}


def error_code(status: int) -> str:
    """The API error code of an HTTP status (``error`` for one without a code)."""
    return CODE_OF_STATUS.get(status, "error")


class InvalidInput(Exception):
    """Input that is well-formed but refers to nothing (an unknown code): a 400 naming the field."""

    def __init__(self, field: str, message: str):
        super().__init__(str(message))
        self.message = str(message)
        self.errors = {field: self.message}


class FieldError(Schema):
    field: str = Field(description="Dotted path of the field, e.g. location.lat")
    message: str
    type: str | None = Field(None, description="Validation error type, when known")


class ErrorOut(Schema):
    """Every error of the API."""

    code: str = Field(
        description="invalid, unauthenticated, forbidden, not_found, method_not_allowed, "
        "transition_not_allowed, conflict, too_large, server_error"
    )
    message: str = Field(description="In the caller's language (Accept-Language)")
    errors: list[FieldError] | None = Field(None, description="Per field, for invalid input")


# For ``response={200: X, **ERRORS}``: documents the error shape in the OpenAPI schema.
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404)}


# --- validation errors, in the caller's language ------------------------------------

# Pydantic's messages are English; the common ones are said again in the caller's language.
PROBLEMS = {
    "missing": gettext_lazy("This field is required."),
    "string_too_long": gettext_lazy("At most %(max_length)s characters."),
    "string_too_short": gettext_lazy("At least %(min_length)s characters."),
    "string_type": gettext_lazy("Enter text."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "float_parsing": gettext_lazy("Enter a number."),
    "float_type": gettext_lazy("Enter a number."),
    "finite_number": gettext_lazy("Enter a finite number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "less_than_equal": gettext_lazy("At most %(le)s."),
    "greater_than_equal": gettext_lazy("At least %(ge)s."),
    "datetime_from_date_parsing": gettext_lazy("Enter a date and time (ISO 8601)."),
    "datetime_parsing": gettext_lazy("Enter a date and time (ISO 8601)."),
    "datetime_type": gettext_lazy("Enter a date and time (ISO 8601)."),
    "too_long": gettext_lazy("At most %(max_length)s items."),
    "list_type": gettext_lazy("Enter a list."),
    "dict_type": gettext_lazy("Enter an object."),
    "model_attributes_type": gettext_lazy("Enter an object."),
    "model_type": gettext_lazy("Enter an object."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "extra_forbidden": gettext_lazy("Unknown field."),
    "nul_character": gettext_lazy("NUL characters are not allowed."),
    "json_too_long": gettext_lazy("At most %(max_length)s characters of JSON."),
}
SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def _field_name(loc) -> str:
    """``("body", "payload", "location", "lat")`` → ``"location.lat"``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in SOURCES:
        source = parts.pop(0)
        # A body schema is one parameter; its name is ours, not the caller's.
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    return ".".join(parts)


def _problem(error: dict) -> str:
    template = PROBLEMS.get(error.get("type", ""))
    if template is None:
        return error.get("msg", "")
    try:
        return str(template) % error.get("ctx", {})
    except (KeyError, TypeError, ValueError):
        return error.get("msg", "")


def validation_errors(errors: list[dict]) -> list[dict]:
    return [
        {
            "field": _field_name(e.get("loc", ())) or "body",
            "message": _problem(e),
            "type": e.get("type", ""),
        }
        for e in errors
    ]


def invalid_message(errors: list[dict]) -> str:
    first = errors[0]
    message = _("%(field)s: %(problem)s") % {"field": first["field"], "problem": first["message"]}
    if len(errors) > 1:
        message += " " + _("(and %(count)d more)") % {"count": len(errors) - 1}
    return message


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not ``\\uXXXX``: half the bytes, and readable in a log."""

    json_dumps_params = {"ensure_ascii": False}


RENDERER = Utf8JSONRenderer()


def json_response(request: HttpRequest, body: Any, status: int) -> HttpResponse:
    """``body`` rendered as the API renders an answer, for an endpoint that built its
    answer itself (already in its schema's shape) and skips the response validation."""
    return HttpResponse(
        RENDERER.render(request, body, response_status=status),
        status=status,
        content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}",
    )


def versioned_json(request: HttpRequest, name: str, version: tuple, build) -> HttpResponse:
    """An API answer rendered once per ``version`` of the rows it shows and shared by every
    process (``core.bodies``): ``build()`` returns the body already in its schema's shape,
    rendered as the API renders it. ETag and 304 as for any kept body; private, since the
    API answers only signed-in callers."""
    from . import bodies

    found = bodies.body(
        name, version, lambda: RENDERER.render(request, build(), response_status=200)
    )
    return bodies.answer(
        request,
        found,
        content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}",
        cache_control="private, no-cache",
        compress=False,
    )
