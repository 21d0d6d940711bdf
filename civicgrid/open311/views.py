"""The GeoReport v2 endpoints under ``/open311/v2/``: parse, call a service, render.

Every endpoint answers in the format its suffix names (``.json`` or ``.xml``); an
unknown suffix is a 404. Reading needs no key (the spec's GETs are public, and
``queries`` shows only what ``cases.publication`` allows); the two POSTs need a client
system's ``api_key`` and are exempt from CSRF, which protects sessions, not keys.
Refusals are the spec's error list with the HTTP status as ``code``, in the caller's
language (Accept-Language).
"""

import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from . import catalogue, inputs, queries, services
from .formats import FORMATS, JSON, errors, moment, render
from .models import ServiceRequest
from .params import (
    Open311Error,
    check_jurisdiction,
    comma_list,
    flag,
    invalid,
    statuses,
    text,
    window,
)

logger = logging.getLogger(__name__)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
LIST_MAX_AGE = 60  # seconds a public list of requests may be reused
MULTIPART_UNREADABLE = gettext_lazy(
    "The multipart form data cannot be read: the Content-Type header needs a valid boundary."
)


def endpoint(*methods: str):
    """Format suffix, allowed methods, jurisdiction and the error list, for every view."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs):
            if fmt not in FORMATS:
                return errors(
                    JSON, 404, [_("Unknown format “%(fmt)s”: use .json or .xml.") % {"fmt": fmt}]
                )
            if request.method not in methods:
                response = errors(
                    fmt,
                    405,
                    [_("This endpoint takes only %(methods)s.") % {"methods": ", ".join(methods)}],
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                check_jurisdiction(_params(request))
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return errors(fmt, exc.status, exc.descriptions)
            except RequestDataTooBig:
                return errors(fmt, 413, [_("The request is too large.")])
            except SuspiciousOperation:
                return errors(fmt, 400, [_("The request is not valid.")])
            except MultiPartParserError:
                return errors(fmt, 400, [MULTIPART_UNREADABLE])

        return wrapper

    return decorate


def _params(request: HttpRequest) -> QueryDict:
    """Query string and form body together; the body wins (the spec puts POST fields there).

    Merged once per request (the jurisdiction check and the view both read them)."""
    if request.method != "POST":
        return request.GET
    merged = getattr(request, "_open311_params", None)
    if merged is not None:
        return merged
    merged = QueryDict(mutable=True)
    for key in request.GET:
        if key not in request.POST:
            merged.setlist(key, request.GET.getlist(key))
    for key in request.POST:
        merged.setlist(key, request.POST.getlist(key))
    request._open311_params = merged  # type: ignore[attr-defined]
    return merged


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(request.path.rsplit("/", 1)[0])


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str):
    """Where the endpoint is and what it speaks (the spec's service discovery)."""
    changeset = moment(catalogue.changeset())
    body = {
        "changeset": changeset,
        "contact": str(settings.CIVICGRID_OPEN311_CONTACT),
        "key_service": _("API keys are issued by the administrators of this site."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": _base_url(request),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", body)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str):
    """Every category a request can be filed under."""
    return render(fmt, "services", [catalogue.as_service(c) for c in catalogue.offered()])


@endpoint("GET")
def service_definition(request: HttpRequest, service_code: str, fmt: str):
    """The extra fields a category asks for, as attributes."""
    category = catalogue.service(service_code)
    if category is None:
        raise Open311Error(
            404, _("service_code: there is no service %(code)s.") % {"code": service_code}
        )
    return render(fmt, "service_definition", catalogue.definition(category))


@endpoint("GET", "POST")
def service_requests(request: HttpRequest, fmt: str):
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


def _create_request(request: HttpRequest, fmt: str):
    data = _params(request)
    client = services.client_for_key(text(data, "api_key", 200))
    sent = services.submit_request(
        inputs.request_input(data), client=client, key=request.headers.get("Idempotency-Key")
    )
    body = [
        {
            "service_request_id": sent.case.number,
            "token": sent.token,
            "service_notice": services.notice_for(sent.case),
            "account_id": sent.account_id,
        }
    ]
    return render(fmt, "service_requests", body)


def _service_codes(data) -> list[str]:
    codes = comma_list(data, "service_code", 100)
    known = catalogue.known_codes()
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise invalid("service_code", _("There is no service %(code)s.") % {"code": unknown[0]})
    return codes


def _list_requests(request: HttpRequest, fmt: str):
    """Requests newest first: by ids (which override the rest), or by dates, status, code."""
    data = request.GET
    extensions = flag(data, "extensions")
    span = window(data)
    ids = comma_list(data, "service_request_id")
    cases = queries.public_cases()
    if ids:
        cases = cases.filter(number__in=ids)
    else:
        cases = cases.filter(created_at__gte=span.start, created_at__lte=span.end)
        cases = queries.filter_status(cases, statuses(data))
        if codes := _service_codes(data):
            cases = cases.filter(category__code__in=codes)
    cases = list(cases.order_by("-created_at", "-id")[span.offset : span.offset + span.page_size])
    response = render(fmt, "service_requests", queries.as_requests(cases, extensions))
    if not ids and len(cases) == span.page_size:
        response["Link"] = f'<{_older(request, cases[-1])}>; rel="next"'
    # The same for every reader (public cases only, no key): a proxy or a client may
    # reuse it for a minute.
    response["Cache-Control"] = f"public, max-age={LIST_MAX_AGE}"
    return response


def _older(request: HttpRequest, oldest) -> str:
    """The next page of a full list, by date (keyset): the same query with ``end_date``
    at its oldest request (which it repeats: ``end_date`` is inclusive) and no ``page``."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("start_date", None)  # the window moves with end_date
    # To the microsecond: the seconds of ``moment`` would skip the older requests of that second.
    query["end_date"] = timezone.localtime(oldest.created_at).isoformat()
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@endpoint("GET")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str):
    """One request, as a list of one (as the spec's examples show)."""
    extensions = flag(request.GET, "extensions")
    case = queries.public_cases().filter(number=service_request_id[:40]).first()
    if case is None:
        raise Open311Error(
            404,
            _("service_request_id: there is no request %(id)s.") % {"id": service_request_id},
        )
    return render(fmt, "service_requests", queries.as_requests([case], extensions))


@endpoint("GET")
def token(request: HttpRequest, token_id: str, fmt: str):
    """The request a token stands for. Requests are registered at once, so it always has one."""
    sent = ServiceRequest.objects.select_related("case").filter(token=token_id[:40]).first()
    if sent is None:
        raise Open311Error(404, _("token: there is no token %(token)s.") % {"token": token_id})
    body = [{"service_request_id": sent.case.number, "token": sent.token}]
    return render(fmt, "service_requests", body)


@endpoint("GET", "POST")
def updates(request: HttpRequest, fmt: str):
    """FixMyStreet's servicerequestupdates: read the updates of a period, or post one."""
    if request.method == "POST":
        return _post_update(request, fmt)
    span = window(request.GET)
    events = queries.public_updates(span.start, span.end)
    page = list(events[span.offset : span.offset + span.page_size])
    return render(fmt, "service_request_updates", queries.as_updates(page))


def _post_update(request: HttpRequest, fmt: str):
    data = _params(request)
    client = services.client_for_key(text(data, "api_key", 200))
    given = inputs.update_input(data, source=client.name)
    update = services.post_update(given, client=client)
    return render(fmt, "service_request_updates", [{"update_id": str(update.event_id)}])


@csrf_exempt
def unknown(request: HttpRequest, path: str = ""):
    """Anything else under the prefix: the spec's 404, in JSON (the format is unknown)."""
    fmt = path.rsplit(".", 1)[-1] if "." in path else JSON
    return errors(fmt if fmt in FORMATS else JSON, 404, [_("There is no such Open311 method.")])
