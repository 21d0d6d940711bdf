"""What every app's API module shares: the input base class, input errors, the error shape.

The handlers that turn these into responses live in ``civicgrid/api.py``.
"""

from ninja import Field, Schema
from pydantic import field_validator
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
