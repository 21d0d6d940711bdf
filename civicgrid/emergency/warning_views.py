"""The warning pages: the command room's list and draft form, one warning with its
messages (approve, discard, update, lift, CAP XML), and the public page of the
warnings in force (``warning_flow.public_view``: only what may leave)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import LifecycleError

from . import cap, services, warning_flow
from .warning import (
    CapCategory,
    Certainty,
    MessageType,
    Urgency,
    Warning,
    WarningLevel,
    WarningState,
)

FORM_FIELDS = (*warning_flow.FIELDS, "datum")


def _fields(post) -> dict:
    return {name: post.get(name, "").strip() for name in FORM_FIELDS if name in post}


def _warning_or_404(request, pk: int) -> Warning:
    found = warning_flow.visible_warnings(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("There is no such warning that you can see."))
    return found


def _choices() -> dict:
    return {
        "levels": WarningLevel.choices,
        "categories": CapCategory.choices,
        "urgencies": Urgency.choices,
        "certainties": Certainty.choices,
    }


@page("warnings")
def warnings_list(request):
    """The warnings in force, the drafts waiting for approval, the ones over; the form
    to draft a warning (command room)."""
    rows = list(warning_flow.visible_warnings(request.user)[:300])
    now = timezone.now()
    in_force = [w for w in rows if w.in_force]
    drafts = [w for w in rows if w.state == WarningState.DRAFT]
    past = [w for w in rows if w.state != WarningState.DRAFT and not w.in_force][:50]
    may_draft = warning_flow.may_draft(request.user)
    return render(
        request,
        "emergency/warnings.html",
        {
            "in_force": in_force,
            "drafts": drafts,
            "past": past,
            "may_draft": may_draft,
            "incidents": services.visible_incidents(request.user).filter(
                status__in=("reported", "responding")
            )[:100]
            if may_draft
            else [],
            "now": now,
            "map_data": {"warnings": warning_flow.map_layer(in_force)},
            **_choices(),
        },
    )


@page("warnings")
@require_POST
def warning_draft(request):
    """The command room drafts a warning; a commander approves it on its page."""
    incident = None
    chosen = request.POST.get("incident", "")
    if chosen.isdigit():
        incident = services.visible_incidents(request.user).filter(pk=int(chosen)).first()
    fields = _fields(request.POST)
    datum = fields.pop("datum", "") or "wgs84"
    try:
        found = warning_flow.draft(actor=request.user, incident=incident, datum=datum, **fields)
    except LifecycleError as exc:
        messages.error(request, exc.message)
        return redirect("emergency:warnings")
    messages.success(request, _("The warning is drafted; another commander approves it."))
    return redirect("emergency:warning", found.pk)


@page("warnings")
def warning_detail(request, pk: int):
    """One message of a warning, its series, and the commands on it."""
    found = _warning_or_404(request, pk)
    series = warning_flow.history(found)
    user = request.user
    may_draft = warning_flow.may_draft(user, found.incident)
    return render(
        request,
        "emergency/warning.html",
        {
            "warning": found,
            "series": series,
            "may_approve": warning_flow.may_approve(user, found),
            "may_change": may_draft and found.in_force,
            "may_discard": may_draft and found.state == WarningState.DRAFT,
            "units": found.units.order_by("code"),
            "map_data": {"warnings": warning_flow.map_layer([found])},
            **_choices(),
        },
    )


WARNING_ACTIONS = ("approve", "discard", "update", "cancel")


@page("warnings")
@require_POST
def warning_act(request, pk: int, action: str):
    """Approve or discard a draft; draft an update or the lift of a warning in force."""
    found = _warning_or_404(request, pk)
    if action not in WARNING_ACTIONS:
        raise Http404(_("There is no such command."))
    user, post = request.user, request.POST
    target = found.pk
    try:
        if action == "approve":
            warning_flow.approve(found, actor=user)
            messages.success(request, _("The warning is sent; the units in its area are told."))
        elif action == "discard":
            warning_flow.discard(found, actor=user)
            messages.success(request, _("The draft is discarded."))
            return redirect("emergency:warnings")
        elif action == "update":
            fields = _fields(post)
            datum = fields.pop("datum", "") or "wgs84"
            made = warning_flow.draft_update(
                found, actor=user, note=post.get("note", ""), datum=datum, **fields
            )
            target = made.pk
            messages.success(request, _("The update is drafted; another commander approves it."))
        elif action == "cancel":
            made = warning_flow.draft_cancel(found, actor=user, note=post.get("note", ""))
            target = made.pk
            messages.success(request, _("The lift is drafted; another commander approves it."))
    except LifecycleError as exc:
        messages.error(request, exc.message)
    return redirect("emergency:warning", target)


@page("warnings")
def warning_cap(request, pk: int):
    """The message as CAP 1.2 XML."""
    found = _warning_or_404(request, pk)
    reply = HttpResponse(cap.to_xml(found), content_type="application/xml; charset=utf-8")
    reply["Content-Disposition"] = f'inline; filename="warning-{found.pk}.cap.xml"'
    return reply


def public_warnings(request):
    """The warnings in force, for everyone: only what the public rule lets leave."""
    rows = [warning_flow.public_view(w) for w in warning_flow.public_warnings()[:100]]
    rows.sort(key=lambda r: warning_flow.LEVEL_RANK[WarningLevel(r["level"])])
    return render(
        request,
        "emergency/public_warnings.html",
        {
            "warnings": rows,
            "map_data": {
                "warnings": [
                    {k: r[k] for k in ("id", "level", "headline", "area", "circle")} for r in rows
                ]
            },
            "lifted": MessageType.CANCEL,
        },
    )
