"""Possible duplicates at intake (merge into one, or the caller joins it) and the hot-issue page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases import lifecycle
from civicgrid.cases import queries as case_queries
from civicgrid.cases.forms import IntakeForm, Options
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case
from civicgrid.cases.refusals import status_for
from civicgrid.cases.services import SubmissionKey, default_centre
from civicgrid.cases.views.common import visible_case_or_404
from civicgrid.regions.locator import locate
from civicgrid.routing.models import Category

from . import batch, services
from .candidates import LIKELY_DUPLICATE, WINDOW_DAYS, find_candidates
from .forms import BatchForm
from .hotissues import HALF_LIFE_DAYS, MAX_BLOCK
from .models import HotIssueBatch, HotIssueRefresh, Supporter
from .queries import hot_issue_cases, visible_hot_issues

HOT_ISSUES_SHOWN = 50


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if abs(number) < 1000 else None


def _grid_at(params) -> object | None:
    lng, lat = _float(params.get("lng")), _float(params.get("lat"))
    if lng is None or lat is None:
        return None
    try:
        return locate(lng, lat, params.get("datum") or "wgs84").grid
    except ValueError:
        return None


def _category(value: str) -> Category | None:
    return Category.objects.filter(pk=value).first() if str(value or "").isdigit() else None


@page("intake")
@require_GET
def intake_candidates(request):
    """Open cases like the one being typed, near its position; htmx swaps them in."""
    params = request.GET
    title, content = params.get("title", "")[:200], params.get("content", "")[:5000]
    found = None
    if title.strip() or content.strip():
        found = find_candidates(
            title,
            content,
            _grid_at(params),
            category=_category(params.get("category")),
            centre=default_centre(request.user),
            actor=request.user,
        )
        _with_supporter_counts(found.items)
    context = {
        "found": found,
        "threshold": round(LIKELY_DUPLICATE * 100),
        "window_days": WINDOW_DAYS,
        "may_merge": request.user.has_role(*lifecycle.PERMISSIONS[Action.MERGE][0])
        or request.user.is_superuser,
    }
    return render(request, "duplicates/partials/_candidates.html", context)


def _with_supporter_counts(items) -> None:
    counts = dict(
        Supporter.objects.filter(case__in=[c.case.pk for c in items])
        .values_list("case")
        .annotate(n=Count("id"))
    )
    for item in items:
        item.supporters = counts.get(item.case.pk, 0)


def _intake_page(request, form: IntakeForm, status: int):
    phone = form.data.get("reporter_phone", "") if form.is_bound else ""
    earlier = case_queries.earlier_cases(request.user, phone) if len(phone) >= 5 else None
    context = {"form": form, "earlier": list(earlier) if earlier is not None else None}
    return render(request, "cases/intake.html", context, status=status)


@page("intake")
@require_POST
def intake_merge(request, number: str):
    """Register the case being typed and merge it at once into case ``number``."""
    target = visible_case_or_404(request.user, number)
    form = IntakeForm(request.POST, request.FILES, options=Options())
    if not form.is_valid():
        return _intake_page(request, form, 400)
    try:
        case = services.register_duplicate(
            form.intake(),
            into=target,
            actor=request.user,
            files=form.cleaned_data.get("attachments") or [],
            key=SubmissionKey.for_user(request.user, form.cleaned_data.get("client_key", "")),
        )
    except lifecycle.LifecycleError as error:
        for name, message in (getattr(error, "errors", None) or {None: error.message}).items():
            form.add_error(name if name in form.fields else None, message)
        return _intake_page(request, form, status_for(error))
    messages.success(
        request,
        _(
            "Case %(number)s registered and merged into %(target)s; "
            "its caller will be called back with it."
        )
        % {"number": case.number, "target": target.number},
    )
    return redirect("cases:detail", number=target.number)


@page("intake")
@require_POST
def intake_join(request, number: str):
    """The caller has the same problem as case ``number``: count them on it, no new case."""
    target = visible_case_or_404(request.user, number)
    try:
        services.join(
            target,
            phone=request.POST.get("reporter_phone", ""),
            name=request.POST.get("reporter_name", ""),
            channel=request.POST.get("channel", "hotline"),
            actor=request.user,
        )
    except lifecycle.LifecycleError as error:
        messages.error(request, error.message)
        # Keep what was typed (files cannot be kept), without validating the case form.
        form = IntakeForm(initial=request.POST.dict(), options=Options())
        return _intake_page(request, form, status_for(error))
    messages.success(
        request,
        _("The caller joined case %(number)s as a supporter; no new case was registered.")
        % {"number": target.number},
    )
    return redirect("cases:detail", number=target.number)


@page("hot_issues")
@require_GET
def hot_issues(request):
    """Hot issues in the user's regions, hottest first, on a list and a map."""
    issues = list(visible_hot_issues(request.user)[:HOT_ISSUES_SHOWN])
    refreshed = HotIssueRefresh.objects.filter(pk=1).first()
    top = max((i.heat_now for i in issues), default=0)
    points = [
        {
            "key": i.key,
            "title": i.title,
            "heat": i.heat_now,
            "share": i.heat_now / top if top else 0,
            "reports": i.reports,
            "lng": i.lng,
            "lat": i.lat,
            "url": reverse("duplicates:hot_issue", args=[i.key]),
        }
        for i in issues
        if i.lng is not None
    ]
    context = {
        "issues": issues,
        "points": points,
        "computed_at": refreshed.computed_at if issues and refreshed else None,
        "refreshed": refreshed,
        "max_block": MAX_BLOCK,
        "words": {"reports": _("reports")},
        "half_life": HALF_LIFE_DAYS,
    }
    return render(request, "duplicates/hot_issues.html", context)


def _issue_or_404(user, key: str):
    issue = visible_hot_issues(user).filter(key=key[:20]).first()
    if issue is None:
        raise Http404(_("There is no such hot issue in your regions."))
    return issue


@page("hot_issues")
@require_GET
def hot_issue(request, key: str):
    """The cases of one hot issue that the user may see, with the batch actions."""
    issue = _issue_or_404(request.user, key)
    cases: list[Case] = list(hot_issue_cases(request.user, issue))
    if request.headers.get("HX-Request") == "true":
        return render(
            request, "duplicates/partials/_hot_issue_cases.html", {"issue": issue, "cases": cases}
        )
    actions = batch.actions_for(request.user)
    form = BatchForm(cases=cases, actions=actions) if actions else None
    return _hot_issue_page(request, issue, cases, form)


def _hot_issue_page(request, issue, cases, form, status: int = 200):
    context = {"issue": issue, "cases": cases, "form": form, "max_cases": batch.MAX_CASES}
    return render(request, "duplicates/hot_issue.html", context, status=status)


@page("hot_issues")
@require_POST
def hot_issue_batch(request, key: str):
    """A batch action on the chosen cases: asked to confirm first, then run case by case."""
    issue = _issue_or_404(request.user, key)
    actions = batch.actions_for(request.user)
    if not actions:
        raise PermissionDenied(_("Batch actions are for the region's dispatchers and leaders."))
    cases: list[Case] = list(hot_issue_cases(request.user, issue))
    form = BatchForm(request.POST, cases=cases, actions=actions)
    if not form.is_valid():
        return _hot_issue_page(request, issue, cases, form, 400)
    wanted = form.request()
    try:
        if not form.cleaned_data["confirmed"]:
            chosen = batch.check(issue, wanted, actor=request.user)
            return _confirm_page(request, issue, form, wanted, chosen)
        outcome = batch.run(issue, wanted, actor=request.user)
    except lifecycle.LifecycleError as error:
        for name, message in error.errors.items() or [(None, error.message)]:
            form.add_error(name if name in form.fields else None, message)
        return _hot_issue_page(request, issue, cases, form, status_for(error))
    if outcome.replayed:
        messages.info(request, _("This batch was already sent; here is what it did."))
    return redirect("duplicates:hot_issue_batch_result", key=issue.key, pk=outcome.batch.pk)


def _confirm_page(request, issue, form, wanted, chosen):
    hidden = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "confirmed")
        for value in request.POST.getlist(name)
    ]
    context = {
        "issue": issue,
        "action": HotIssueBatch.Action(wanted.action),
        "chosen": chosen,
        "wanted": wanted,
        "open_count": sum(c.is_open for c in chosen),
        "hidden": hidden,
    }
    return render(request, "duplicates/batch_confirm.html", context)


@page("hot_issues")
@require_GET
def hot_issue_batch_result(request, key: str, pk: int):
    """What a batch did: the cases acted on and those skipped, each with the reason."""
    done = get_object_or_404(HotIssueBatch, pk=pk, issue_key=key[:20], user=request.user)
    context = {"batch": done, "summary": batch.summary(done), "issue_key": done.issue_key}
    return render(request, "duplicates/batch_result.html", context)
