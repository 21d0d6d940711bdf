"""How a refusal is answered over HTTP, one table for the pages and the API.

A service or a view refuses by raising; the page re-renders with this status and the
API answers with it (and the error code of ``core.api.error_code``).
"""

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404
from django.http.multipartparser import MultiPartParserError

from civicgrid.core.api import InvalidInput

from . import lifecycle

# First match wins: a subclass comes before its base class.
REFUSAL_STATUS: dict[type[BaseException], int] = {
    lifecycle.InvalidAction: 400,
    lifecycle.ActionRefused: 403,
    lifecycle.TransitionNotAllowed: 409,
    lifecycle.ConcurrentUpdate: 409,
    lifecycle.LifecycleError: 400,
    InvalidInput: 400,
    ValidationError: 400,
    MultiPartParserError: 400,
    PermissionDenied: 403,
    Http404: 404,
    ObjectDoesNotExist: 404,
    RequestDataTooBig: 413,
    SuspiciousOperation: 400,
}


def status_for(error: BaseException) -> int:
    """The HTTP status that answers ``error``; 400 for a refusal not in the table."""
    return next((code for kind, code in REFUSAL_STATUS.items() if isinstance(error, kind)), 400)
