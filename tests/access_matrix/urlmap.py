"""The URL map: every endpoint that addresses an object, read from Django's resolver and
the API's OpenAPI schema, spelled as a URL template (``/cases/{number}/files/{pk}/``)."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

from civicgrid.api import api

# Parameters that choose how an answer is written, not which object it is about.
FORMAT_PARAMETERS = {"fmt"}
# Patterns with a parameter that address no object; each needs a reason.
NOT_OBJECTS = {
    "/open311/v2/{path}": "the catch-all answering the spec's 404 for unknown methods",
    "/cases/exports/{source}/": "a list's name: the caller's scope and the filters decide "
    "the rows (cases/tests/test_exports.py)",
    "/api/analytics/reports/{kind}": "a report's name (day, week, month): the caller's "
    "regions decide the figures (analytics/tests/test_reports.py)",
}
ADMIN = "/admin/"
API = "/api/"


def template(route: str) -> str:
    """``cases/<str:number>/`` and ``^requests/(?P<id>[^/]+)\\.(?P<fmt>…)$`` as templates."""
    spelled = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    spelled = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", spelled)
    return "/" + spelled.replace("^", "").replace("$", "").replace("\\.", ".")


def parameters(url: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", url))


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield template(prefix + str(pattern.pattern))


def _addresses_an_object(url: str) -> bool:
    return bool(parameters(url) - FORMAT_PARAMETERS) and url not in NOT_OBJECTS


def page_endpoints() -> set[str]:
    """Object endpoints outside the API and the admin (pages, Open311, alerts, …)."""
    return {
        url
        for url in _routes(get_resolver().url_patterns)
        if _addresses_an_object(url) and not url.startswith((ADMIN, API))
    }


def admin_endpoints() -> set[str]:
    return {
        url
        for url in _routes(get_resolver().url_patterns)
        if url.startswith(ADMIN) and _addresses_an_object(url)
    }


def api_endpoints() -> set[tuple[str, str]]:
    """``(METHOD, /api/…)`` of every API operation with a path parameter."""
    paths = api.get_openapi_schema()["paths"]
    return {
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if _addresses_an_object(path)
    }
