"""The JSON API under ``/api/``: who may call it, and how every error looks.

Every error, whatever raised it, is ``{"code": …, "message": …}`` (plus ``errors``, a
list of ``{"field", "message"}``, when input was invalid) in the caller's language
(``Accept-Language``). Invalid input is a 4xx, never a 500.

Token auth comes first: a request with a bearer token is judged on it alone, and only
requests without one fall back to the session, whose unsafe methods need the CSRF token.
"""

import logging
from functools import wraps
from importlib import import_module

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.urls import re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from civicgrid.accounts.auth import token_auth
from civicgrid.cases import lifecycle
from civicgrid.cases.api import router as cases_router
from civicgrid.cases.refusals import status_for
from civicgrid.core.api import (
    InvalidInput,
    Utf8JSONRenderer,
    error_code,
    invalid_message,
    validation_errors,
)
from civicgrid.regions.api import router as regions_router
from civicgrid.routing.api import router as routing_router
from civicgrid.wiring.modules import MODULES

logger = logging.getLogger(__name__)

# The few fixed English messages django-ninja raises itself, in the caller's language.
NINJA_MESSAGES = {
    "Cannot parse request body": gettext_lazy("The request body is not valid JSON."),
    "CSRF check Failed": gettext_lazy(
        "The CSRF token is missing or wrong: send X-CSRFToken, or use an API token."
    ),
    "Unauthorized": gettext_lazy("Sign in, or send an API token: Authorization: Bearer cg_…"),
}


class CivicgridAPI(NinjaAPI):
    """NinjaAPI whose unknown paths and wrong methods answer in JSON as well."""

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _json_method_not_allowed(pattern.callback)
        return [*patterns, re_path(r"^.*$", self._unknown_path)]

    def _unknown_path(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return error_response(request, 404, "not_found", _("There is no such API endpoint."))


def _json_method_not_allowed(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response(
                request,
                405,
                "method_not_allowed",
                _("This endpoint takes only %(methods)s.") % {"methods": allowed},
            )
            response["Allow"] = allowed
        return response

    return wrapper


api = CivicgridAPI(
    title="civicgrid API",
    version="1",
    description=(
        "Cases, their closed loop, and the reference data they need. Systems send "
        "`Authorization: Bearer cg_…`; the web UI uses its session (unsafe methods need "
        "`X-CSRFToken`). Errors are `{code, message}`; contacts are always masked."
    ),
    urls_namespace="api",
    renderer=Utf8JSONRenderer(),
    auth=[token_auth, django_auth],
    # The bundled swagger-ui, with the online validator badge (a call to
    # validator.swagger.io) switched off: the docs work on an intranet.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)
api.add_router("/cases", cases_router)
api.add_router("/regions", regions_router)
api.add_router("/", routing_router)
# The apps above cases, in the order of civicgrid/wiring/modules.py.
for module in MODULES:
    for prefix, name in module.api:
        api.add_router(prefix, getattr(import_module(f"{module.app}.api"), name))


def error_response(
    request: HttpRequest, status: int, code: str, message: str, errors: list | None = None
) -> HttpResponse:
    body: dict = {"code": code, "message": str(message)}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


# --- validation errors (their words: core.api) ---------------------------------------

# Raised when ``request.POST``/``FILES`` is first read, whichever endpoint reads it.
MULTIPART_UNREADABLE = gettext_lazy(
    "The multipart form data cannot be read: the Content-Type header needs a valid boundary."
)


# --- handlers ----------------------------------------------------------------------


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = validation_errors(exc.errors)
    if not errors:
        return error_response(request, 400, "invalid", _("The request is not valid."))
    return error_response(request, 400, "invalid", invalid_message(errors), errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = NINJA_MESSAGES.get(exc.message, exc.message)
    response = error_response(request, 401, "unauthenticated", message)
    response["WWW-Authenticate"] = 'Bearer realm="civicgrid"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = error_code(exc.status_code)
    message = NINJA_MESSAGES.get(exc.message, exc.message)
    return error_response(request, exc.status_code, code, message)


@api.exception_handler(lifecycle.LifecycleError)
def on_lifecycle_error(request: HttpRequest, exc: lifecycle.LifecycleError) -> HttpResponse:
    status = status_for(exc)
    field_errors = getattr(exc, "errors", None) or {}
    errors = [{"field": f, "message": str(m)} for f, m in field_errors.items()]
    message = invalid_message(errors) if errors else exc.message
    return error_response(request, status, exc.code, message, errors)


@api.exception_handler(InvalidInput)
def on_invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    errors = [{"field": f, "message": m} for f, m in exc.errors.items()]
    status = status_for(exc)
    return error_response(request, status, error_code(status), invalid_message(errors), errors)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Views raise Http404 with a translated message; anything else gets the generic one.
    message = str(exc) if getattr(exc, "civicgrid_message", False) else _("Not found.")
    status = status_for(exc)
    return error_response(request, status, error_code(status), message)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    status = status_for(exc)
    message = str(exc) or _("You may not do this.")
    return error_response(request, status, error_code(status), message)


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    status = status_for(exc)
    if status == 413:
        return error_response(request, status, error_code(status), _("The request is too large."))
    return error_response(request, status, error_code(status), _("The request is not valid."))


@api.exception_handler(MultiPartParserError)
def on_unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    status = status_for(exc)
    return error_response(request, status, error_code(status), str(MULTIPART_UNREADABLE))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in %s %s", request.method, request.path, exc_info=exc)
    message = _("Something went wrong on our side; it has been logged.")
    return error_response(request, 500, error_code(500), message)
