"""The command room's pages: the incidents, one incident (map, tasks, reports, log and
the command forms), the printed log, the units' task buttons, and the plans."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import InvalidAction, LifecycleError
from civicgrid.cases.models import Case
from civicgrid.cases.views.common import visible_case_or_404
from civicgrid.core.pdf import pdf_response
from civicgrid.routing.models import Department

from . import plans, printing, resourcing, response, services, taxonomy
from .models import (
    Incident,
    IncidentStatus,
    LogKind,
    Plan,
    ReportKind,
    ResponseLevel,
    Severity,
    Task,
)
from .resources import Item, Team, Warehouse

MAX_IMPORT_BYTES = 512 * 1024


def _incident_or_404(request, pk: int) -> Incident:
    incident = services.visible_incidents(request.user).filter(pk=pk).first()
    if incident is None:
        raise Http404(_("There is no such incident that you can see."))
    return incident


def _refused(request, exc: LifecycleError) -> None:
    messages.error(request, exc.message)


@page("incidents")
def incidents(request):
    """Open incidents first, then ended ones; the form to open one (command room)."""
    rows = services.visible_incidents(request.user).order_by("status", "-created_at")
    show = request.GET.get("show", "open")
    if show == "open":
        rows = rows.filter(status__in=(IncidentStatus.REPORTED, IncidentStatus.RESPONDING))
    return render(
        request,
        "emergency/incidents.html",
        {
            "incidents": rows[:200],
            "show": show,
            "may_open": services.may_command(request.user),
            "types": taxonomy.choices(),
            "severities": Severity.choices,
            "units": Department.objects.filter(active=True).order_by("code"),
        },
    )


def _open_fields(post) -> dict:
    lead = post.get("lead_unit") or None
    return {
        "title": post.get("title", ""),
        "type_code": post.get("type_code", ""),
        "severity": post.get("severity", ""),
        "address": post.get("address", "")[:200],
        "lng": post.get("lng") or None,
        "lat": post.get("lat") or None,
        "radius_m": post.get("radius_m") or None,
        "area": post.get("area") or None,
        "lead_unit": Department.objects.filter(pk=int(lead), active=True).first()
        if lead and str(lead).isdigit()
        else None,
        "member_unit_ids": [u for u in post.getlist("member_units") if u.isdigit()],
        "content": post.get("content", "")[:4000],
        "datum": post.get("datum") or "wgs84",
    }


@page("incidents")
@require_POST
def open_incident(request):
    """The command room opens an incident (its case is registered) or a drill."""
    try:
        incident = services.open_incident(
            actor=request.user, drill=bool(request.POST.get("drill")), **_open_fields(request.POST)
        )
    except LifecycleError as exc:
        _refused(request, exc)
        return redirect("emergency:incidents")
    return redirect("emergency:incident", incident.pk)


@page("incidents")
@require_POST
def open_from_case(request, number: str):
    """Open an incident on an existing case (an alert, a grid worker's report)."""
    case = visible_case_or_404(request.user, number)
    try:
        incident = services.open_incident(
            actor=request.user, case=case, **_open_fields(request.POST)
        )
    except LifecycleError as exc:
        _refused(request, exc)
        return redirect(reverse("cases:detail", args=[case.number]) + "#incident")
    return redirect("emergency:incident", incident.pk)


# The material the page offers to ship first (沙袋, sandbags); any code can be asked for.
PAGE_ITEM = "03010101"


def _resources(incident: Incident, user) -> dict:
    """The nearest teams, warehouses holding sandbags and shelters, the 1-3-5 minute
    circles and the deployments; empty when the incident has no point."""
    if incident.lng is None or incident.lat is None:
        return {}
    teams = resourcing.nearest(incident, "teams", actor=user, limit=5)
    item = Item.objects.filter(code=PAGE_ITEM).first()
    stock = (
        resourcing.nearest(incident, "warehouses", actor=user, item=PAGE_ITEM, limit=5)
        if item
        else []
    )
    shelters = resourcing.nearest(incident, "shelters", actor=user, limit=3)
    experts = resourcing.nearest(incident, "experts", actor=user, limit=3)
    return {
        "teams": teams,
        "stock": stock,
        "shelters": shelters,
        "experts": experts,
        "item": item,
    }


def _map_data(incident: Incident, near: dict | None = None) -> dict:
    near = near or {}
    layer = [
        {"kind": "team", "name": t.name, "point": [t.lng, t.lat], "km": t.distance_km}
        for t in near.get("teams", [])
    ]
    layer += [
        {
            "kind": "warehouse",
            "name": s.warehouse.name,
            "point": [s.warehouse.lng, s.warehouse.lat],
            "km": s.distance_km,
        }
        for s in near.get("stock", [])
    ]
    layer += [
        {"kind": "shelter", "name": s.name, "point": [s.lng, s.lat], "km": s.distance_km}
        for s in near.get("shelters", [])
    ]
    cases = [incident.case] if incident.case else []
    cases += [link.case for link in incident.links.select_related("case")]
    return {
        "point": [incident.lng, incident.lat] if incident.lng is not None else None,
        "radius": incident.radius_m,
        "area": incident.area,
        "drill": incident.drill,
        "circles": resourcing.circles() if near else [],
        "resources": layer,
        "resources_label": str(_("Resources")),
        "cases": [
            {"number": c.number, "title": c.title, "point": [c.lng, c.lat]}
            for c in cases
            if c.lng is not None
        ],
    }


@page("incidents")
def incident(request, pk: int):
    """The incident: where, the level and plan, tasks and their progress, reports owed
    and filed, the log; the command forms for the command room, task buttons for units."""
    found = _incident_or_404(request, pk)
    user = request.user
    commanding = services.may_command(user, found)
    mine = set(user.department_ids)
    tasks = [
        (task, task.unit_id in mine or commanding)
        for task in found.tasks.select_related("unit", "acknowledged_by", "done_by")
    ]
    near = _resources(found, user)
    levels = []
    if found.plan:
        levels = [
            (lv, ResponseLevel(lv).label)
            for lv in found.plan.levels.values_list("level", flat=True)
        ]
    return render(
        request,
        "emergency/incident.html",
        {
            "incident": found,
            "commanding": commanding,
            "tasks": tasks,
            "progress": response.progress(found),
            "reports": found.reports.select_related("author"),
            "owed": services.expected_reports(found),
            "log": found.log.select_related("actor"),
            "links": found.links.select_related("case"),
            "map_data": _map_data(found, near),
            "near": near,
            "deployments": [
                (d, resourcing.may_move_deployment(user, d))
                for d in found.deployments.select_related("team", "incident")
            ],
            "shipments": found.shipments.select_related("warehouse", "item"),
            "plans": Plan.objects.filter(active=True).order_by("code") if commanding else [],
            "all_levels": ResponseLevel.choices,
            "plan_levels": levels,
            "proposals": plans.proposals(found) if commanding and found.plan is None else [],
            "report_kinds": ReportKind.choices,
            "log_kinds": [(k, LogKind(k).label) for k in services.HAND_KINDS],
            "members": found.member_units.all(),
        },
    )


ACTIONS = ("start", "level", "end", "assess", "report", "log", "group", "deploy", "ship", "move")


@page("incidents")
@require_POST
def act(request, pk: int, action: str):
    """One command on the incident; a refusal comes back as a message."""
    found = _incident_or_404(request, pk)
    if action not in ACTIONS:
        raise Http404(_("There is no such command."))
    post, user = request.POST, request.user
    version = post.get("version")
    try:
        if action == "start":
            chosen = str(post.get("plan", ""))
            plan = Plan.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
            if plan is None:
                raise InvalidAction(_("Choose a plan."), "plan")
            response.start_plan(found, plan, post.get("level"), actor=user, version=version)
            messages.success(request, _("The plan is started; the units have their tasks."))
        elif action == "level":
            response.change_level(
                found, post.get("level"), actor=user, version=version, reason=post.get("reason", "")
            )
            messages.success(request, _("The response level is changed."))
        elif action == "end":
            response.end_response(found, actor=user, version=version, reason=post.get("reason", ""))
            messages.success(request, _("The response has ended."))
        elif action == "assess":
            response.assess(found, post.get("assessment", ""), actor=user, version=version)
        elif action == "report":
            report = services.file_report(
                found, post.get("kind", ""), post.get("text", ""), actor=user
            )
            if report.late:
                messages.warning(request, _("The report is filed, late."))
            else:
                messages.success(request, _("The report is filed."))
        elif action == "log":
            services.add_log_entry(found, post.get("kind", ""), post.get("text", ""), actor=user)
        elif action == "group":
            case = Case.objects.filter(number=post.get("number", "").strip()[:20]).first()
            if case is None:
                raise InvalidAction(_("There is no case with this number."), "number")
            services.group_case(found, case, actor=user)
        elif action == "deploy":
            team = Team.objects.filter(pk=_int(post.get("team"))).first()
            if team is None:
                raise InvalidAction(_("Choose a team."), "team")
            resourcing.deploy(found, team, actor=user)
            messages.success(request, _("The team is sent."))
        elif action == "ship":
            warehouse = Warehouse.objects.filter(pk=_int(post.get("warehouse"))).first()
            item = Item.objects.filter(code=str(post.get("item", ""))[:8]).first()
            if warehouse is None or item is None:
                raise InvalidAction(_("Choose a warehouse and a material."), "warehouse")
            resourcing.ship(found, warehouse, item, post.get("quantity"), actor=user)
            messages.success(request, _("The shipment is on its way; the stock is updated."))
        elif action == "move":
            deployment = found.deployments.filter(pk=_int(post.get("deployment"))).first()
            if deployment is None:
                raise InvalidAction(_("There is no such deployment."), "deployment")
            resourcing.move_deployment(deployment, str(post.get("move", ""))[:12], actor=user)
    except LifecycleError as exc:
        _refused(request, exc)
    return redirect("emergency:incident", found.pk)


def _int(value) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 12 else 0


@page("incidents")
def log_pdf(request, pk: int):
    """The incident log, printable (every entry, in time order)."""
    found = _incident_or_404(request, pk)
    return pdf_response(printing.incident_log_pdf(found), f"incident-{found.pk}-log.pdf")


@page("incidents")
@require_POST
def task_move(request, pk: int, move: str):
    """A unit acknowledges or finishes its task."""
    task = get_object_or_404(Task.objects.select_related("incident", "unit"), pk=pk)
    if not services.may_view(request.user, task.incident):
        raise Http404(_("There is no such incident that you can see."))
    try:
        if move == "acknowledge":
            response.acknowledge(task, actor=request.user)
        elif move == "done":
            response.complete(task, actor=request.user, note=request.POST.get("note", ""))
        else:
            raise Http404(_("There is no such command."))
    except LifecycleError as exc:
        _refused(request, exc)
    return redirect(reverse("emergency:incident", args=[task.incident_id]) + "#tasks")


# --- plans ------------------------------------------------------------------------------


@page("plans")
def plan_list(request):
    return render(
        request,
        "emergency/plans.html",
        {
            "plans": Plan.objects.prefetch_related("levels").order_by("code"),
            "may_import": services.may_command(request.user),
        },
    )


@page("plans")
def plan_detail(request, pk: int):
    plan = get_object_or_404(Plan, pk=pk)
    return render(
        request,
        "emergency/plan.html",
        {
            "plan": plan,
            "levels": plan.levels.select_related("lead_unit").prefetch_related("member_units"),
            "steps": plan.steps.select_related("owner").order_by("position"),
            "types": [taxonomy.name(c) for c in plan.type_codes],
        },
    )


@page("plans")
def plan_export(request, pk: int):
    plan = get_object_or_404(Plan, pk=pk)
    body = json.dumps(plans.export_plan(plan), ensure_ascii=False, indent=2)
    reply = HttpResponse(body, content_type="application/json; charset=utf-8")
    reply["Content-Disposition"] = f'attachment; filename="plan-{plan.code}.json"'
    return reply


@page("plans")
def plan_print(request, pk: int):
    plan = get_object_or_404(Plan, pk=pk)
    return pdf_response(printing.plan_pdf(plan), f"plan-{plan.code}.pdf")


@page("plans")
@require_POST
def plan_import(request):
    """Import a plan from an uploaded JSON file or pasted JSON; every problem is named."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_IMPORT_BYTES:
            messages.error(request, _("A plan file is at most 512 KB."))
            return redirect("emergency:plans")
        raw = upload.read()
    else:
        raw = request.POST.get("json", "").encode()
    try:
        plan = plans.import_plan(raw.decode("utf-8", errors="replace"), actor=request.user)
    except plans.PlanProblems as exc:
        for problem in exc.problems[:30]:
            messages.error(request, problem)
        return redirect("emergency:plans")
    except LifecycleError as exc:
        _refused(request, exc)
        return redirect("emergency:plans")
    messages.success(request, _("The plan “%(plan)s” is imported.") % {"plan": plan.name})
    return redirect("emergency:plan", plan.pk)
