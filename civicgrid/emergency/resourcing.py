"""Finding and sending resources: the nearest suitable teams, warehouses holding an item,
experts and shelters for an incident; sending a team (a ``Deployment`` the team's unit or
the command room moves through acknowledged → departed → arrived) and shipping stock
(the warehouse's row locked, the quantity checked and taken in one transaction).

Every move is a line in the incident log.
"""

import math

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Role, User
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.core.models import PersonalDataRead

from . import travel
from .models import Incident, LogKind
from .resources import (
    Deployment,
    DeploymentStatus,
    Expert,
    Item,
    Receipt,
    Shelter,
    Shipment,
    Stock,
    Team,
    Warehouse,
)
from .services import _require_command, _require_view, log, may_command

EARTH_KM = 6371.0088
KINDS = ("teams", "warehouses", "experts", "shelters")
MAX_RESULTS = 50
MAX_QUANTITY = 10_000_000
# How far the command room looks (km), widening the box until enough are found.
SEARCH_KM = (20, 80, 300, 1000)
# Rows read beyond the number asked for, so the great-circle ranking of the few read
# has room for the flat-earth order's near-ties.
SPARE = 5
# Response circles: how far a team gets in 1, 3 and 5 minutes by road (the estimate).
CIRCLE_MINUTES = (1, 3, 5)
# Road travel time without a routing service (no internet): the straight line times a
# detour factor is the road distance, driven first on streets, then on arterial roads,
# then on highways — each class up to its length (km of road from the start), at its
# speed (km/h). ``settings.EMERGENCY_ROAD`` overrides any key. An estimate, and said so.
ROAD = {
    "detour": 1.4,
    "classes": [["street", 2.0, 25.0], ["arterial", 15.0, 45.0], ["highway", None, 70.0]],
}


def distance_km(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def road() -> dict:
    """The road model: ``ROAD`` with ``settings.EMERGENCY_ROAD`` over it."""
    return {**ROAD, **getattr(settings, "EMERGENCY_ROAD", {})}


def travel_minutes(km: float, model: dict | None = None) -> float:
    """Estimated minutes by road to cover ``km`` of straight line (haversine × detour,
    each road class at its speed); an estimate, not a route."""
    model = model or road()
    left = km * float(model["detour"])
    done, minutes = 0.0, 0.0
    for _name, upto, kmh in model["classes"]:
        leg = left if upto is None else min(left, max(0.0, float(upto) - done))
        minutes += leg / float(kmh) * 60
        left -= leg
        done += leg
        if left <= 0:
            break
    return round(minutes, 1)


def reach_km(minutes: float, model: dict | None = None) -> float:
    """The straight-line km reached in ``minutes`` by road (``travel_minutes`` inverted)."""
    model = model or road()
    left, done = float(minutes), 0.0
    for _name, upto, kmh in model["classes"]:
        span = None if upto is None else max(0.0, float(upto) - done)
        need = None if span is None else span / float(kmh) * 60
        if need is None or need >= left:
            done += left / 60 * float(kmh)
            break
        done += span or 0.0
        left -= need
    return done / float(model["detour"])


def circles() -> list[dict]:
    """The 1-3-5 minute circles: minutes and the straight-line radius in metres that the
    road estimate reaches in them."""
    model = road()
    return [{"minutes": m, "radius_m": round(reach_km(m, model) * 1000)} for m in CIRCLE_MINUTES]


def _box(qs: QuerySet, lng: float, lat: float, km: float, prefix: str = "") -> QuerySet:
    dlat = km / 111.2
    dlng = km / (111.2 * max(0.05, math.cos(math.radians(lat))))
    return qs.filter(
        **{
            f"{prefix}lat__gte": lat - dlat,
            f"{prefix}lat__lte": lat + dlat,
            f"{prefix}lng__gte": lng - dlng,
            f"{prefix}lng__lte": lng + dlng,
        }
    )


def _ranked(qs: QuerySet, lng: float, lat: float, limit: int, prefix: str = "") -> list:
    """The ``limit`` rows of ``qs`` nearest (lng, lat), each with ``distance_km`` and
    ``travel_min``, in one query as a rule: a bounding box in SQL (an index on lat,
    lng), ordered in SQL by the flat-earth distance (plain arithmetic, so SQLite and
    PostgreSQL alike) and cut to a few more than asked; those few are ranked by the
    great-circle distance. The box widens only when fewer than ``limit`` lie within."""
    # The flat-earth order as a plain SQL expression on the placed table's columns
    # (``extra``: the ORM's expression compiler costs more than the query itself here).
    table = (
        qs.model._meta.get_field(prefix[:-2]).related_model._meta.db_table
        if prefix
        else (qs.model._meta.db_table)
    )
    squeeze = math.cos(math.radians(lat)) ** 2
    flat = (
        f'(("{table}"."lng" - %s) * ("{table}"."lng" - %s) * %s'
        f' + ("{table}"."lat" - %s) * ("{table}"."lat" - %s))'
    )
    # With a routing table, travel time may reorder the nearest: read more of them.
    routed = travel.in_use()
    spare = limit * 3 + SPARE if routed else SPARE
    ranked: list = []
    for km in SEARCH_KM:
        rows = list(
            _box(qs, lng, lat, km, prefix).extra(  # noqa: S610 — no user text in it
                select={"_flat": flat},
                select_params=(lng, lng, squeeze, lat, lat),
                order_by=["_flat"],
            )[: limit + spare]
        )
        ranked = []
        for row in rows:
            p = row.warehouse if prefix else row
            row.distance_km = round(distance_km(lng, lat, p.lng, p.lat), 3)
            if row.distance_km <= km:
                ranked.append(row)
        if len(ranked) >= limit:
            break
    model = road()
    places = [row.warehouse if prefix else row for row in ranked]
    table = travel.lookup([(p.lng, p.lat) for p in places], lng, lat)
    for row, minutes in zip(ranked, table, strict=True):
        # "table": by the routing table; "estimate": the road estimate from the distance.
        row.travel_source = "estimate" if minutes is None else "table"
        row.travel_min = (
            travel_minutes(row.distance_km, model) if minutes is None else round(minutes, 1)
        )
    if routed:
        ranked.sort(key=lambda r: (r.travel_min, r.distance_km, r.pk))
    else:
        ranked.sort(key=lambda r: (r.distance_km, r.pk))
    return ranked[:limit]


def _point(incident: Incident) -> tuple[float, float]:
    if incident.lng is None or incident.lat is None:
        raise InvalidAction(_("The incident has no place on the map; set its point first."), "lng")
    return incident.lng, incident.lat


def _limit(limit) -> int:
    try:
        n = int(limit)
    except (TypeError, ValueError):
        raise InvalidAction(_("Ask for between 1 and 50 resources."), "limit") from None
    if not 1 <= n <= MAX_RESULTS:
        raise InvalidAction(_("Ask for between 1 and 50 resources."), "limit")
    return n


def nearest(
    incident: Incident,
    kind: str,
    *,
    actor: Actor,
    skill: str = "",
    item: str = "",
    field: str = "",
    limit=10,
) -> list:
    """The nearest suitable resources of ``kind`` for ``incident``, nearest first, each
    with ``distance_km``: available teams (with ``skill``), warehouses holding ``item``
    (its code; the ``Stock`` rows with quantity > 0 come back, warehouse attached),
    experts (in ``field``), shelters."""
    _require_view(actor, incident)
    if kind not in KINDS:
        raise InvalidAction(_("Choose teams, warehouses, experts or shelters."), "kind")
    n = _limit(limit)
    lng, lat = _point(incident)
    if kind == "teams":
        qs: QuerySet = Team.objects.filter(available=True)
        if skill:
            qs = _with_skill(qs, skill.strip()[:40])
        return _ranked(qs, lng, lat, n)
    if kind == "warehouses":
        code = item.strip()[:8]
        if not code:
            raise InvalidAction(_("Choose a material by its code."), "item")
        stock = Stock.objects.filter(item__code=code, quantity__gt=0).select_related(
            "warehouse", "item"
        )
        rows = _ranked(stock, lng, lat, n, prefix="warehouse__")
        if not rows and not Item.objects.filter(code=code).exists():
            raise InvalidAction(_("Choose a material by its code."), "item")
        return rows
    if kind == "experts":
        qs = Expert.objects.all()
        if field:
            qs = qs.filter(field__icontains=field.strip()[:60])
        return _ranked(qs, lng, lat, n)
    return _ranked(Shelter.objects.all(), lng, lat, n)


def _with_skill(qs: QuerySet, skill: str) -> QuerySet:
    # JSON "contains" is not on SQLite: match the quoted keyword in the JSON text.
    return qs.filter(skills__icontains=f'"{skill}"')


def low_stock() -> QuerySet[Stock]:
    """Stock below its minimum level: the low-stock warning list."""
    return (
        Stock.objects.filter(quantity__lt=F("minimum"))
        .select_related("warehouse", "item")
        .order_by("warehouse__name", "item__code")
    )


# --- sending a team ------------------------------------------------------------------


@transaction.atomic
def deploy(incident: Incident, team: Team, *, actor: User) -> Deployment:
    """Send ``team`` to ``incident`` (the command room); the log says so."""
    _require_command(actor, incident)
    if not incident.is_open:
        raise InvalidAction(_("The response has ended; nothing more is sent."), "incident")
    locked = Team.objects.select_for_update().get(pk=team.pk)
    if not locked.available:
        raise InvalidAction(_("This team is not available."), "team")
    if Deployment.objects.filter(incident=incident, team=locked).exists():
        raise InvalidAction(_("This team is already sent to this incident."), "team")
    km = None
    if incident.lng is not None and incident.lat is not None:
        km = round(distance_km(incident.lng, incident.lat, locked.lng, locked.lat), 3)
    deployment = Deployment.objects.create(
        incident=incident, team=locked, sent_by=actor, distance_km=km
    )
    locked.available = False
    locked.save(update_fields=["available"])
    log(
        incident,
        LogKind.RESOURCE,
        _("Team %(team)s (%(size)s people) sent.") % {"team": locked.name, "size": locked.size},
        actor=actor,
        data={"deployment": deployment.pk, "team": locked.pk, "distance_km": km},
    )
    return deployment


DEPLOYMENT_MOVES = {
    "acknowledge": (DeploymentStatus.SENT, DeploymentStatus.ACKNOWLEDGED, "acknowledged_at"),
    "depart": (DeploymentStatus.ACKNOWLEDGED, DeploymentStatus.DEPARTED, "departed_at"),
    "arrive": (DeploymentStatus.DEPARTED, DeploymentStatus.ARRIVED, "arrived_at"),
}


def may_move_deployment(user, deployment: Deployment) -> bool:
    """The command room, or the staff of the team's unit."""
    if may_command(user, deployment.incident):
        return True
    unit = deployment.team.unit_id
    return bool(user.is_authenticated and unit and unit in set(user.department_ids))


@transaction.atomic
def move_deployment(deployment: Deployment, move: str, *, actor: User) -> Deployment:
    """Acknowledge, depart or arrive: each once, in that order; the log says when."""
    if move not in DEPLOYMENT_MOVES:
        raise InvalidAction(_("Choose acknowledge, depart or arrive."), "move")
    if not may_move_deployment(actor, deployment):
        raise ActionRefused(_("Only the team's unit or the command room moves a deployment."))
    frm, to, field = DEPLOYMENT_MOVES[move]
    locked = Deployment.objects.select_for_update().select_related("team").get(pk=deployment.pk)
    if locked.status != frm:
        raise InvalidAction(
            _("The deployment is %(state)s; this step does not follow.")
            % {"state": locked.get_status_display()},
            "move",
        )
    now = timezone.now()
    locked.status = to
    setattr(locked, field, now)
    locked.save(update_fields=["status", field])
    labels = {
        "acknowledge": _("Team %(team)s acknowledged."),
        "depart": _("Team %(team)s departed."),
        "arrive": _("Team %(team)s arrived on site."),
    }
    log(
        locked.incident,
        LogKind.RESOURCE,
        labels[move] % {"team": locked.team.name},
        actor=actor,
        data={"deployment": locked.pk, "move": move},
        at=now,
    )
    return locked


# --- shipping stock ------------------------------------------------------------------


def _quantity(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InvalidAction(_("Enter a whole quantity above zero."), "quantity") from None
    if isinstance(value, float) and value != n:
        raise InvalidAction(_("Enter a whole quantity above zero."), "quantity")
    if not 1 <= n <= MAX_QUANTITY:
        raise InvalidAction(_("Enter a whole quantity above zero."), "quantity")
    return n


@transaction.atomic
def ship(
    incident: Incident, warehouse: Warehouse, item: Item, quantity, *, actor: User
) -> Shipment:
    """Ship ``quantity`` of ``item`` from ``warehouse`` to ``incident``. The stock row is
    locked, so of two shipments taking the last units exactly one goes through; stock
    never goes below zero."""
    _require_command(actor, incident)
    if not incident.is_open:
        raise InvalidAction(_("The response has ended; nothing more is sent."), "incident")
    n = _quantity(quantity)
    stock = Stock.objects.select_for_update().filter(warehouse=warehouse, item=item).first()
    if stock is None or stock.quantity < n:
        raise InvalidAction(
            _("%(warehouse)s holds only %(have)s %(unit)s of %(item)s; %(want)s cannot be sent.")
            % {
                "warehouse": warehouse.name,
                "have": stock.quantity if stock else 0,
                "unit": item.unit_of_measure,
                "item": item.name,
                "want": n,
            },
            "quantity",
        )
    stock.quantity = F("quantity") - n
    stock.save(update_fields=["quantity"])
    shipment = Shipment.objects.create(
        incident=incident, warehouse=warehouse, item=item, quantity=n, shipped_by=actor
    )
    log(
        incident,
        LogKind.RESOURCE,
        _("%(quantity)s %(unit)s of %(item)s shipped from %(warehouse)s.")
        % {
            "quantity": n,
            "unit": item.unit_of_measure,
            "item": item.name,
            "warehouse": warehouse.name,
        },
        actor=actor,
        data={"shipment": shipment.pk, "item": item.code, "quantity": n},
    )
    return shipment


# --- receiving stock (入库) -------------------------------------------------------------


def _keeping_units(user) -> set[int]:
    """The units whose warehouses ``user`` keeps: those of the user's handler grants."""
    if not user.is_authenticated:
        return set()
    return {g.department_id for g in user.grants_for(Role.HANDLER) if g.department_id}


def may_keep(user, warehouse: Warehouse) -> bool:
    """The warehouse's keepers: the handlers of its unit, and the command room."""
    if may_command(user):
        return True
    return bool(warehouse.unit_id and warehouse.unit_id in _keeping_units(user))


def kept_warehouses(user) -> QuerySet[Warehouse]:
    """The warehouses ``user`` keeps (all of them for the command room)."""
    if may_command(user):
        return Warehouse.objects.all()
    return Warehouse.objects.filter(unit_id__in=sorted(_keeping_units(user)))


def _locked_stock(warehouse: Warehouse, item: Item) -> Stock:
    """The (warehouse, item) stock row, locked; made at zero when the warehouse did not
    hold the item yet (of two keepers making it at once, one makes it, both lock it)."""
    stock = Stock.objects.select_for_update().filter(warehouse=warehouse, item=item).first()
    if stock is not None:
        return stock
    try:
        with transaction.atomic():
            Stock.objects.create(warehouse=warehouse, item=item, quantity=0)
    except IntegrityError:
        pass  # another keeper made it meanwhile
    return Stock.objects.select_for_update().get(warehouse=warehouse, item=item)


@transaction.atomic
def receive(
    warehouse: Warehouse,
    item: Item,
    quantity,
    *,
    actor: User,
    source: str = "",
    note: str = "",
) -> Receipt:
    """A keeper records stock received into ``warehouse`` (入库): the stock row is locked
    and raised in the same transaction, so receipts and shipments racing on one row all
    count; the receipt keeps the stock it left."""
    if not may_keep(actor, warehouse):
        raise ActionRefused(_("Only the warehouse's unit or the command room records receipts."))
    if len(item.code) != 8:
        raise InvalidAction(_("Only 8-digit materials are stocked."), "item")
    n = _quantity(quantity)
    stock = _locked_stock(warehouse, item)
    if stock.quantity + n > MAX_QUANTITY * 10:
        raise InvalidAction(_("That would be more than a warehouse can hold."), "quantity")
    stock.quantity = F("quantity") + n
    stock.save(update_fields=["quantity"])
    stock.refresh_from_db(fields=["quantity"])
    return Receipt.objects.create(
        warehouse=warehouse,
        item=item,
        quantity=n,
        source=str(source or "").strip()[:120],
        note=str(note or "").strip()[:300],
        received_by=actor,
        stock_after=stock.quantity,
    )


def reveal_expert_phone(expert: Expert, *, actor: User, reason: str = "") -> str:
    """An expert's full phone for the command room; every call is audited."""
    _require_command(actor)
    PersonalDataRead.objects.create(
        user=actor, subject=f"expert {expert.pk}", field="expert phone", reason=reason[:200]
    )
    return expert.phone
