"""The public pages: report (随手拍), nearby cases, +1, tracking and rating, results.

No login. Every page that writes refuses cheaply first — too large a body, then the
per-address limit, then the human check and the per-phone limit — and only then decodes
photos and registers. (The CSRF check before the view has read the body: cap its size at
the reverse proxy, see docs/citizens.md.) What is accepted is committed before the answer is sent.
"""

import json
import secrets

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.cases import attachments, publication
from civicgrid.cases.lifecycle import Action, LifecycleError
from civicgrid.cases.models import Attachment, Case, CaseEvent, Rating, Status
from civicgrid.cases.photos import MAX_BYTES, MAX_PHOTOS, PhotoProblem, clean_photos
from civicgrid.cases.refusals import status_for
from civicgrid.core import bodies
from civicgrid.core.paging import BoundedPaginator
from civicgrid.regions import outlines
from civicgrid.regions.locator import locate
from civicgrid.regions.models import Level, Region
from civicgrid.routing import catalogue

from . import challenge, queries, ratelimit, services
from .forms import HumanCheck, RatingForm, ReportForm, category_by_pk, outside_message

PHOTO_FIELDS = ("photos", "camera")
# The largest body a report can need: every photo at the limit, plus the text fields.
MAX_BODY = MAX_PHOTOS * MAX_BYTES + 1024 * 1024
RESULTS_PER_PAGE = 20
# Counted up to here ("more than 1000 closed cases", 50 pages): the count is most of the
# page's time, and a reader looks for a street or a category rather than page 51.
RESULTS_COUNTED = 1000


def _new_key() -> str:
    return secrets.token_urlsafe(24)


def _report_page(request, form: ReportForm, *, status: int = 200, alert: str = ""):
    key = form.data.get("key") if form.is_bound else form.initial.get("key")
    key = key if isinstance(key, str) and key else _new_key()
    context = {
        "form": form,
        "key": key,
        "challenge": challenge.new_challenge(key),
        "alert": alert,
        "max_photos": MAX_PHOTOS,
        "strings": {
            "join": _("Join case %(number)s (+1)"),
            "joinNotice": _("Fill in your phone number, the check question and agree, then join."),
        },
    }
    return render(request, "citizens/report.html", context, status=status)


def _confirmation(request, filed: services.Filed, *, joined: bool = False):
    link = request.build_absolute_uri(f"/track/{filed.token}/")
    context = {"case": filed.case, "link": link, "token": filed.token, "joined": joined}
    return render(request, "citizens/confirmation.html", context)


def _limited(request, verdict: ratelimit.Verdict):
    wait = max(1, int((verdict.retry_at - timezone.now()).total_seconds() // 60) + 1)
    context = {"retry_at": verdict.retry_at, "minutes": wait}
    response = render(request, "citizens/limited.html", context, status=429)
    response["Retry-After"] = str(wait * 60)
    return response


def _too_large(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY
    except ValueError:
        return True


def _address_verdict(request) -> ratelimit.Verdict:
    limits = ratelimit.limits()
    key = ratelimit.key_for("ip", ratelimit.client_ip(request))
    return ratelimit.hit(key, limit=limits["ip"], seconds=limits["seconds"])


def _phone_verdict(phone: str) -> ratelimit.Verdict:
    limits = ratelimit.limits()
    return ratelimit.hit(
        ratelimit.key_for("phone", phone), limit=limits["phone"], seconds=limits["seconds"]
    )


@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    """The photo report: a form on GET; on POST the case number and a tracking link."""
    if request.method == "GET":
        return _report_page(request, ReportForm(initial={"key": _new_key()}))
    if _too_large(request):
        return _report_page(
            request,
            ReportForm(),
            status=413,
            alert=_("The photos are too large together; send fewer or smaller ones."),
        )
    verdict = _address_verdict(request)  # before any field is read or photo decoded
    if not verdict.allowed:
        return _limited(request, verdict)
    form = ReportForm(request.POST)
    if (filed := services.replayed_report(form.data.get("key", ""))) is not None:
        return _confirmation(request, filed)
    if form.is_spam:
        return _report_page(request, ReportForm(), status=400, alert=_("The report was not sent."))
    if not form.is_valid():
        return _report_page(request, form, status=400)
    verdict = _phone_verdict(form.cleaned_data["phone"])
    if not verdict.allowed:
        return _limited(request, verdict)
    files = [f for name in PHOTO_FIELDS for f in request.FILES.getlist(name)]
    try:
        photos = clean_photos(files)
    except PhotoProblem as problem:
        form.add_error(None, str(problem))
        return _report_page(request, form, status=400)
    try:
        filed = services.file_report(form.report(), photos=photos, key=form.cleaned_data["key"])
    except LifecycleError as error:
        for name, message in (error.errors or {None: error.message}).items():
            form.add_error(name if name in form.fields else None, message)
        return _report_page(request, form, status=status_for(error))
    return _confirmation(request, filed)


@require_GET
def place_check(request):
    """Whether the place chosen is in the area served, said before the report is sent;
    htmx swaps it in under the position."""
    params, message = request.GET, ""
    try:
        lng, lat = float(params.get("lng", "")), float(params.get("lat", ""))
    except ValueError:
        pass
    else:
        message = outside_message(lng, lat, params.get("datum"))
    return render(request, "citizens/partials/_place_check.html", {"outside": message})


@require_GET
def nearby(request):
    """Open cases of the chosen kind near the chosen place; htmx swaps them into the form."""
    params = request.GET
    grid = None
    try:
        lng, lat = float(params.get("lng", "")), float(params.get("lat", ""))
        grid = locate(lng, lat, params.get("datum") or "wgs84").grid
    except ValueError:
        pass
    category = category_by_pk(params.get("category"))
    found = queries.nearby(grid, category, params.get("description", "")[:2000])
    context = {"found": found, "placed": grid is not None, "category": category}
    return render(request, "citizens/partials/_nearby.html", context)


@never_cache
@require_POST
def join(request, number: str):
    """+1: the citizen has the same problem as open case ``number``; no new case."""
    # Only a case the public may see can be joined: the nearby list offers no other, and
    # a joiner's tracking page must not open an unpublished case by its number.
    case = get_object_or_404(publication.published(Case.objects.all()), number=number[:20])
    verdict = _address_verdict(request)
    if not verdict.allowed:
        return _limited(request, verdict)
    check = HumanCheck(request.POST)
    report_form = ReportForm(request.POST)
    if check.is_spam:
        return _report_page(request, ReportForm(), status=400, alert=_("The report was not sent."))
    if not check.is_valid():
        for name, errors in check.errors.items():
            for message in errors:
                report_form.add_error(name if name in report_form.fields else None, message)
        return _report_page(
            request,
            report_form,
            status=400,
            alert=_("To join the case, fill in the marked fields."),
        )
    verdict = _phone_verdict(check.cleaned_data["phone"])
    if not verdict.allowed:
        return _limited(request, verdict)
    try:
        filed = services.join_case(
            case,
            phone=check.cleaned_data["phone"],
            name=check.cleaned_data["name"],
            key=check.cleaned_data["key"],
        )
    except LifecycleError as error:
        return _report_page(request, report_form, status=status_for(error), alert=error.message)
    return _confirmation(request, filed, joined=True)


def _tracking_or_404(token: str):
    tracking = services.find_tracking(token)
    if tracking is None:
        raise Http404(_("There is no case behind this link. Check that it was copied whole."))
    return tracking


def _track_page(request, tracking, *, form: RatingForm | None = None, status: int = 200):
    # The category and its parents come from the per-process category tree, the photos
    # only for the reporter (who alone sees them).
    cases = Case.objects.select_related("main_department", "merged_into", "grid").defer(
        "grid__boundary"
    )
    if tracking.may_rate:
        cases = cases.prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(event__action=Action.REGISTER).order_by("pk"),
            )
        )
    case = cases.get(pk=tracking.case_id)
    rated = None
    if case.rating and tracking.may_rate:
        rated = (
            CaseEvent.objects.filter(case=case, action=Action.CALLBACK)
            .order_by("-at", "-id")
            .first()
        )
    context = {
        "case": case,
        "tracking": tracking,
        "token": request.resolver_match.kwargs["token"],
        "status_text": queries.plain_status(case),
        # Their own words to the reporter; to a supporter what the public may read.
        "shown": queries.tracked(case, own=tracking.may_rate),
        "photos": list(case.attachments.all()) if tracking.may_rate else [],
        "may_rate": tracking.may_rate and case.status == Status.VERIFIED,
        "rate_form": form or RatingForm(),
        "not_yet": services.rating_closed_reason(case)
        if tracking.may_rate and case.status in (Status.REPLIED,)
        else "",
        "rated": rated,
        "category": queries.category_label(catalogue.category_by_id(case.category_id)),
        "steps": _steps(case),
        "supporters": case.supporters.count(),
    }
    response = render(request, "citizens/track.html", context, status=status)
    # The address is the key: never cache it where others could read it.
    response["Cache-Control"] = "private, no-store"
    # Never sent to other sites; same-origin, so the rating form passes the CSRF check.
    response["Referrer-Policy"] = "same-origin"
    return response


STEPS = (
    (pgettext_lazy("citizen's progress", "Received"), (Status.REGISTERED,)),
    (
        pgettext_lazy("citizen's progress", "Being handled"),
        (
            Status.DISPATCHED,
            Status.HANDLING,
            Status.EXTENSION_REQUESTED,
            Status.RETURN_REQUESTED,
        ),
    ),
    (pgettext_lazy("citizen's progress", "Replied"), (Status.REPLIED, Status.VERIFIED)),
    (pgettext_lazy("citizen's progress", "Rated"), (Status.RATED,)),
    (pgettext_lazy("citizen's progress", "Closed"), (Status.CLOSED, Status.MERGED)),
)


def _steps(case: Case) -> list[dict]:
    """The five stages a citizen sees, with the current one marked."""
    current = next(i for i, (_label, statuses) in enumerate(STEPS) if case.status in statuses)
    return [
        {"label": str(label), "done": i < current, "current": i == current}
        for i, (label, _statuses) in enumerate(STEPS)
    ]


@require_GET
def track(request, token: str):
    """The private tracking page: plain status, public timeline, the reply, the rating."""
    return _track_page(request, _tracking_or_404(token))


@require_POST
def rate(request, token: str):
    """The reporter rates the handled case (the callback)."""
    tracking = _tracking_or_404(token)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _track_page(request, tracking, form=form, status=400)
    try:
        services.rate(
            tracking, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
        )
    except LifecycleError as error:
        form.add_error(None, error.message)
        return _track_page(request, tracking, form=form, status=status_for(error))
    return _track_page(request, tracking)


@require_GET
def photo(request, token: str, pk: int):
    """One of the reporter's own (cleaned) photos, only through the reporter's link."""
    tracking = _tracking_or_404(token)
    if not tracking.may_rate:
        raise Http404
    stored = get_object_or_404(
        Attachment, pk=pk, case_id=tracking.case_id, event__action=Action.REGISTER
    )
    if not stored.content_type.startswith("image/"):
        raise Http404
    return attachments.download(stored)


@require_GET
def results(request):
    """Closed cases, anonymised, by street and first-level category."""
    street = request.GET.get("street", "")[:15]
    category = request.GET.get("category", "")
    category_id = int(category) if category.isdigit() else None
    streets = queries.streets()
    if street and street not in {s.code for s in streets}:
        street = ""
    listing = BoundedPaginator(
        queries.closed_cases(street=street, category=category_id),
        RESULTS_PER_PAGE,
        bound=RESULTS_COUNTED,
    ).get_page(request.GET.get("page"))
    context = {
        "page": listing,
        "rows": queries.results(listing.object_list),
        "streets": streets,
        "categories": queries.root_categories(),
        "street": street,
        "category": category_id,
        "ratings": {r.value: r.label for r in Rating},
    }
    return render(request, "citizens/results.html", context)


@require_GET
def grids_geojson(request):
    """Street outlines and grids for the map pin: geography only, no counts.

    Rendered once per version of the region tree and shared by every process
    (``regions.outlines``, ``core.bodies``): a 304 to a map that holds it, else the
    stored body (gzipped when the browser takes it).
    """
    at = outlines.version()

    def build() -> str:
        features = ",".join(
            f'{{"type":"Feature","geometry":{o.geometry},"properties":'
            f"{_json({'code': o.code, 'name': o.name, 'level': o.level})}}}"
            for o in outlines.outlines(at)
        )
        return '{"type":"FeatureCollection","features":[' + features + "]}"

    return bodies.answer(
        request,
        bodies.body("citizens.grids", at, build),
        content_type="application/geo+json",
        cache_control="public, max-age=300",
    )


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- the assessment's public doors: residents rate their grid, the units' lists ------


def _grids() -> list[tuple[str, str]]:
    rows = Region.objects.filter(level=Level.GRID).order_by("path").values_list("pk", "name")
    return [(str(pk), name) for pk, name in rows]


def _grid_rating_page(request, form, *, status: int = 200, done: bool = False, alert: str = ""):
    key = form.data.get("key") if form.is_bound else form.initial.get("key")
    key = key if isinstance(key, str) and key else _new_key()
    context = {
        "form": form,
        "key": key,
        "challenge": challenge.new_challenge(key),
        "done": done,
        "alert": alert,
    }
    return render(request, "citizens/rate_grid.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def rate_grid(request):
    """逆向评价: a resident rates their grid, once a month per phone (a new rating replaces
    the last). The same refusals as a report: address limit, honeypot, check question,
    phone limit."""
    from civicgrid.assessment import services as assessment

    from .forms import GridRatingForm

    grids = _grids()
    if request.method == "GET":
        return _grid_rating_page(request, GridRatingForm(initial={"key": _new_key()}, grids=grids))
    verdict = _address_verdict(request)
    if not verdict.allowed:
        return _limited(request, verdict)
    form = GridRatingForm(request.POST, grids=grids)
    if form.is_spam:
        return _grid_rating_page(
            request,
            GridRatingForm(grids=grids),
            status=400,
            alert=_("The rating was not sent."),
        )
    if not form.is_valid():
        return _grid_rating_page(request, form, status=400)
    verdict = _phone_verdict(form.cleaned_data["phone"])
    if not verdict.allowed:
        return _limited(request, verdict)
    data = form.cleaned_data
    try:
        assessment.rate_grid(
            Region.objects.get(pk=int(data["grid"])),
            phone=data["phone"],
            stars=data["stars"],
            comment=data["comment"],
        )
    except LifecycleError as error:
        form.add_error(None, error.message)
        return _grid_rating_page(request, form, status=400)
    fresh = GridRatingForm(initial={"key": _new_key()}, grids=grids)
    return _grid_rating_page(request, fresh, done=True)


@require_GET
def unit_lists(request):
    """The units' red/black lists the centre chose to publish: names, scores, grades."""
    from civicgrid.assessment.models import ListKind, MonthList

    listed = (
        MonthList.objects.filter(public=True)
        .order_by("-month")
        .prefetch_related("entries__department")[:12]
    )
    months = [
        {
            "month": m.month,
            "red": [e for e in m.entries.all() if e.kind == ListKind.RED],
            "black": [e for e in m.entries.all() if e.kind == ListKind.BLACK],
        }
        for m in listed
    ]
    return render(request, "citizens/unit_lists.html", {"months": months})
