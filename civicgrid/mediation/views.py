"""The mediator's disputes, the risk board, and the forms of the dispute panel.

The dispute itself shows on its case page (``panels.dispute_panel``): the case stays the
one record. The forms post here; each parses, calls one service, and goes back.
"""

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import LifecycleError
from civicgrid.cases.views.common import safe_next, visible_case_or_404
from civicgrid.regions.models import Region
from civicgrid.routing.models import Department

from . import queries, services
from .lifecycle import Move
from .models import Dispute, Mediator, Organisation
from .rows import render_rows

PAGE_SIZE = 100
# What a row of the dispute lists shows (mediation/rows.py) and its light needs: the
# whole case (and dispute) rows cost more to load than the query to find them.
ROW_FIELDS = (
    "case__number",
    "type__name",
    "organisation__name",
    "state",
    "level",
    "colour",
    "due_at",
    "warn_at",
    "confirm_by",
    "registered_at",
)


@page("disputes")
def disputes(request):
    """My disputes: open ones of my organisations, the nearest deadline first."""
    rows = list(queries.my_disputes(request.user).only(*ROW_FIELDS)[:PAGE_SIZE])
    now = timezone.now()
    return render(
        request,
        "mediation/list.html",
        {"table": render_rows([(d, services.light(d, now), None) for d in rows])},
    )


@page("risk_board")
def risk_board(request):
    """Red and orange first, then the deadlines."""
    rows = list(queries.risk_board(request.user).only(*ROW_FIELDS)[:PAGE_SIZE])
    now = timezone.now()
    return render(
        request,
        "mediation/risk_board.html",
        {
            "table": render_rows(
                [(d, services.light(d, now), services.confirmation_days_left(d, now)) for d in rows]
            )
        },
    )


@page("mediation_registry")
def registry(request):
    """Mediation rooms and mediators, found by place (a region and what lies below it)
    and by words (name, speciality, languages)."""
    q = (request.GET.get("q") or "").strip()[:50]
    region = Region.objects.filter(code=(request.GET.get("region") or "").strip()).first()
    organisations = Organisation.objects.filter(active=True).select_related("region")
    if region is not None:
        organisations = organisations.filter(region__path__startswith=region.path)
    if q:
        organisations = organisations.filter(
            Q(name__contains=q)
            | Q(speciality__contains=q)
            | Q(mediators__speciality__contains=q)
            | Q(mediators__languages__contains=q)
            | Q(mediators__name__contains=q)
        ).distinct()
    organisations = list(
        organisations.prefetch_related(Prefetch("mediators", Mediator.objects.order_by("name")))[
            :PAGE_SIZE
        ]
    )
    # On the map: each organisation at its region's centre (the registry has no address
    # coordinates), with how many mediators it has.
    places = [
        {
            "name": o.name,
            "lat": o.region.centroid_lat,
            "lng": o.region.centroid_lng,
            "mediators": len(o.mediators.all()),
        }
        for o in organisations
        if o.region and o.region.centroid_lat is not None and o.region.centroid_lng is not None
    ]
    return render(
        request,
        "mediation/registry.html",
        {"organisations": organisations, "q": q, "region": region, "places": places},
    )


def _back(request, case) -> str:
    return safe_next(request) or reverse("cases:detail", args=[case.number]) + "#dispute"


def _show(request, error: LifecycleError) -> None:
    messages.error(request, error.message)


@login_required
@require_POST
def hand_over(request, number: str):
    """Hand a case over to mediation, from its page."""
    case = visible_case_or_404(request.user, number)
    post = request.POST
    parties = [
        services.PartyInput(
            side=side, name=post.get(f"{side}_name", ""), phone=post.get(f"{side}_phone", "")
        )
        for side in ("applicant", "respondent")
    ]
    try:
        services.hand_over(
            case,
            actor=request.user,
            type_code=post.get("type", ""),
            source=post.get("source", ""),
            people_involved=post.get("people_involved") or 2,
            amount=post.get("amount") or None,
            other_side_consents=post.get("other_side_consents") == "on",
            court=post.get("court", ""),
            summary=post.get("summary", ""),
            parties=parties,
        )
    except LifecycleError as error:
        _show(request, error)
    else:
        messages.success(request, _("Handed over to mediation; the acceptance check is next."))
    return redirect(_back(request, case))


def _when(value: str) -> datetime | None:
    parsed = parse_datetime(value or "")
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _day(value: str) -> date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def _obligations(post) -> list[services.ObligationInput]:
    return [
        services.ObligationInput(who=who, what=what, due_on=_day(due))  # type: ignore[arg-type]
        for who, what, due in zip(
            post.getlist("who"), post.getlist("what"), post.getlist("due_on"), strict=False
        )
    ]


def _act(request, dispute: Dispute, move: str) -> str:
    """Run one form's service; the success message."""
    post, user = request.POST, request.user
    if move == "consent":
        services.record_consent(dispute, actor=user)
        return _("The other side's consent is recorded.")
    if move == Move.ACCEPT:
        services.accept(dispute, actor=user)
        return _("Accepted for mediation.")
    if move == Move.REFUSE:
        services.refuse(
            dispute, actor=user, reason=post.get("refusal", ""), routes=post.getlist("routes")
        )
        return _("Refused; the lawful routes are recorded for the applicant.")
    if move == "assign":
        organisation = Organisation.objects.filter(pk=post.get("organisation") or 0).first()
        mediators = list(Mediator.objects.filter(pk__in=post.getlist("mediators") or [0]))
        services.assign(
            dispute,
            actor=user,
            organisation=organisation,  # type: ignore[arg-type]
            mediators=mediators,
            chosen_by_parties=post.get("chosen_by_parties") == "on",
        )
        return _("Mediators assigned.")
    if move == "recuse":
        mediator = get_object_or_404(Mediator, pk=post.get("mediator") or 0)
        replacement = get_object_or_404(Mediator, pk=post.get("replacement") or 0)
        services.recuse(
            dispute,
            actor=user,
            mediator=mediator,
            replacement=replacement,
            reason=post.get("reason", ""),
        )
        return _("The mediator was replaced.")
    if move == "session":
        services.add_session(
            dispute,
            actor=user,
            held_at=_when(post.get("held_at", "")),  # type: ignore[arg-type]
            place=post.get("place", ""),
            video=post.get("video") == "on",
            attendees=post.get("attendees", ""),
            record=post.get("record", ""),
            signed=post.get("signed") == "on",
            scan=request.FILES.get("scan"),
        )
        return _("Session logged.")
    if move == "extend":
        services.extend(dispute, actor=user, both_consent=post.get("both_consent") == "on")
        return _("The time limit was extended.")
    if move == Move.AGREE:
        services.agree(
            dispute,
            actor=user,
            facts=post.get("facts", ""),
            obligations=_obligations(post),
            signed=post.get("signed") == "on",
        )
        return _("Agreement recorded; apply for judicial confirmation within 30 days.")
    if move == Move.AGREE_ORALLY:
        services.agree_orally(dispute, actor=user, facts=post.get("facts", ""))
        return _("Oral agreement recorded.")
    if move == Move.FAIL:
        services.fail(
            dispute, actor=user, reason=post.get("reason", ""), routes=post.getlist("routes")
        )
        return _("Failure recorded with the lawful routes.")
    if move == Move.APPLY_CONFIRMATION:
        services.apply_confirmation(dispute, actor=user)
        return _("Judicial confirmation applied for.")
    if move == Move.PERFORM:
        services.perform(dispute, actor=user)
        return _("Performance recorded.")
    if move == Move.REFER:
        department = Department.objects.filter(pk=post.get("department") or 0).first()
        services.refer(
            dispute,
            actor=user,
            to=post.get("to", ""),
            note=post.get("note", ""),
            department=department,
        )
        return _("Sent on through the green channel.")
    if move == Move.CLOSE:
        services.close(
            dispute,
            actor=user,
            note=post.get("note", ""),
            prevented_criminal=post.get("prevented_criminal") == "on",
            prevented_group_petition=post.get("prevented_group_petition") == "on",
        )
        return _("Dispute closed.")
    raise services.InvalidAction(_("Unknown step."), "move")


@login_required
@require_POST
def act(request, number: str):
    """One step on a dispute: the ``move`` field names the form."""
    case = visible_case_or_404(request.user, number)
    dispute = get_object_or_404(Dispute.objects.select_related("case"), case=case)
    try:
        text = _act(request, dispute, request.POST.get("move", ""))
    except LifecycleError as error:
        _show(request, error)
    else:
        messages.success(request, text)
    return redirect(_back(request, case))
