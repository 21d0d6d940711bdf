"""The command room's full-screen map (incidents, warnings and resources as layers, the
1-3-5 minute circles, a wall mode without chrome, refreshed by htmx), an expert's phone
revealed on a page (audited), and the warehouse keeper's receipts (入库)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction, LifecycleError
from civicgrid.cases.views.common import is_htmx

from . import resourcing, services, warning_flow
from .models import IncidentStatus
from .resources import Expert, Item, Receipt, Shelter, Stock, Team, Warehouse

# At most this many of each kind of resource on the map (the nearest lists rank the rest).
MAX_ON_MAP = 2000


def _points(rows, kind: str, extra=None) -> list[dict]:
    return [
        {"kind": kind, "name": r.name, "point": [r.lng, r.lat], **(extra(r) if extra else {})}
        for r in rows
    ]


def room_data(user) -> dict:
    """Everything the command-room map draws, as JSON-ready data."""
    incidents = services.visible_incidents(user).filter(
        status__in=(IncidentStatus.REPORTED, IncidentStatus.RESPONDING), lng__isnull=False
    )[:200]
    circles = resourcing.circles()
    warnings = warning_flow.visible_warnings(user).filter(state="sent").exclude(msg_type="Cancel")
    return {
        "updated": timezone.localtime().strftime("%H:%M:%S"),
        "circles": circles,
        "incidents": [
            {
                "id": i.pk,
                "title": i.title,
                "point": [i.lng, i.lat],
                "radius": i.radius_m,
                "area": i.area,
                "level": i.level,
                "drill": i.drill,
            }
            for i in incidents
        ],
        "warnings": warning_flow.map_layer(w for w in warnings[:200] if w.in_force),
        "warehouses": _points(
            Warehouse.objects.only("name", "lng", "lat")[:MAX_ON_MAP], "warehouse"
        ),
        "teams": _points(
            Team.objects.only("name", "lng", "lat", "size", "available")[:MAX_ON_MAP],
            "team",
            lambda t: {"size": t.size, "available": t.available},
        ),
        "shelters": _points(
            Shelter.objects.only("name", "lng", "lat", "capacity")[:MAX_ON_MAP],
            "shelter",
            lambda s: {"capacity": s.capacity},
        ),
        # The experts' fields, never their phones.
        "experts": _points(
            Expert.objects.only("name", "lng", "lat", "field")[:MAX_ON_MAP],
            "expert",
            lambda e: {"field": e.field},
        ),
    }


@page("command_room")
def command_room(request):
    """The full-screen map; ``?wall=1`` for the video wall (no menu, no buttons)."""
    return render(
        request,
        "emergency/command_room.html",
        {
            "data": room_data(request.user),
            "wall": request.GET.get("wall") == "1",
            "road": resourcing.road(),
            "labels": {
                "incidents": _("Incidents"),
                "warnings": _("Warnings"),
                "circles": _("1-3-5 minute circles"),
                "warehouses": _("Warehouses"),
                "teams": _("Rescue teams"),
                "shelters": _("Shelters"),
                "experts": _("Experts"),
            },
        },
    )


@page("command_room")
def command_room_data(request):
    """The map's data again, for the htmx refresh every 30 seconds."""
    return render(request, "emergency/_room_data.html", {"data": room_data(request.user)})


# --- an expert's phone --------------------------------------------------------------


@page("incidents")
@require_POST
def expert_phone(request, pk: int):
    """Reveal an expert's phone to the command room; each reveal is written to the
    audit log (``PersonalDataRead``), as a caller's contact on the case page."""
    expert = get_object_or_404(Expert, pk=pk)
    try:
        phone = resourcing.reveal_expert_phone(
            expert, actor=request.user, reason=request.POST.get("reason", "")[:200]
        )
    except ActionRefused as error:
        raise PermissionDenied(error.message) from error
    context = {"expert": expert, "phone": phone}
    if is_htmx(request):
        return render(request, "emergency/_expert_phone.html", context)
    return render(request, "emergency/expert_phone.html", context)


# --- the warehouse keeper -------------------------------------------------------------


@page("warehouses")
def warehouses(request):
    """The warehouses the user keeps, each with its low-stock count."""
    kept = resourcing.kept_warehouses(request.user).order_by("name")[:500]
    low = {
        row["warehouse_id"]
        for row in resourcing.low_stock()
        .filter(warehouse__in=[w.pk for w in kept])
        .values("warehouse_id")
    }
    return render(
        request,
        "emergency/warehouses.html",
        {"warehouses": [(w, w.pk in low) for w in kept]},
    )


def _kept_or_404(request, pk: int) -> Warehouse:
    found = resourcing.kept_warehouses(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("There is no such warehouse that you keep."))
    return found


@page("warehouses")
def warehouse(request, pk: int):
    """One warehouse: its stock (low rows marked), the receipt form, the last receipts."""
    found = _kept_or_404(request, pk)
    return render(
        request,
        "emergency/warehouse.html",
        {
            "warehouse": found,
            "stock": Stock.objects.filter(warehouse=found).select_related("item"),
            "receipts": Receipt.objects.filter(warehouse=found).select_related(
                "item", "received_by"
            )[:50],
            # Only the 8-digit leaves are stocked.
            "items": [i for i in Item.objects.order_by("code") if len(i.code) == 8],
        },
    )


@page("warehouses")
@require_POST
def warehouse_receive(request, pk: int):
    """The keeper records a receipt: the stock rises in the same transaction."""
    found = _kept_or_404(request, pk)
    item = Item.objects.filter(code=str(request.POST.get("item", "")).strip()[:8]).first()
    try:
        if item is None:
            raise InvalidAction(_("Choose a material by its code."), "item")
        receipt = resourcing.receive(
            found,
            item,
            request.POST.get("quantity"),
            actor=request.user,
            source=request.POST.get("source", ""),
            note=request.POST.get("note", ""),
        )
    except LifecycleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Received %(quantity)s %(unit)s of %(item)s; %(after)s in stock now.")
            % {
                "quantity": receipt.quantity,
                "unit": item.unit_of_measure,
                "item": item.name,
                "after": receipt.stock_after,
            },
        )
    return redirect("emergency:warehouse", found.pk)
