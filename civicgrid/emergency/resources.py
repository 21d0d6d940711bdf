"""Emergency resources: warehouses with stock by item (GB/T 38565-style material codes),
rescue teams, experts and shelters — each with a position — and what is sent to an
incident: a team's ``Deployment`` (acknowledged, departed, arrived) and a ``Shipment``
of stock, which takes the quantity out of the warehouse in the same transaction
(``resourcing``).

Positions are WGS84 ``lng``/``lat`` with an index on (lat, lng), so the nearest search
prefilters a bounding box in SQL and ranks the few left by great-circle distance.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import user_field


class Placed(models.Model):
    """Something with a name and a position on the map."""

    name = models.CharField(_("name"), max_length=120)
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Warehouse(Placed):
    """An emergency materials warehouse (应急物资仓库)."""

    unit = models.ForeignKey(
        "routing.Department",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["name"]
        indexes = [models.Index(fields=["lat", "lng"], name="emergency_wh_position")]


class Item(models.Model):
    """A material (应急物资) under a 4-level code in the style of GB/T 38565:
    two digits per level, e.g. ``01`` 基本生活保障物资 › ``0101`` › ``010101`` › ``01010101``.
    Only leaves (8 digits) are stocked."""

    code = models.CharField(_("material code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=80)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level(self) -> int:
        return len(self.code) // 2


class Stock(models.Model):
    """How much of an item a warehouse holds, and the level below which it warns."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="stock"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("material"), on_delete=models.PROTECT, related_name="stock"
    )
    quantity = models.IntegerField(_("quantity"), default=0)
    minimum = models.PositiveIntegerField(_("minimum level"), default=0)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["warehouse", "item"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "item"], name="emergency_stock_once"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="emergency_stock_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["item", "quantity"], name="emergency_stock_item")]

    def __str__(self) -> str:
        return f"{self.warehouse} · {self.item.name} {self.quantity}"

    @property
    def low(self) -> bool:
        return self.quantity < self.minimum


class Team(Placed):
    """A rescue team (应急队伍): its size, skills, equipment and whether it can go."""

    unit = models.ForeignKey(
        "routing.Department",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    size = models.PositiveIntegerField(_("size"), default=0)
    # Skill keywords, e.g. ["flood", "rescue"]; matched exactly.
    skills = models.JSONField(_("skills"), default=list, blank=True)
    equipment = models.TextField(_("equipment"), blank=True)
    available = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("rescue team")
        verbose_name_plural = _("rescue teams")
        ordering = ["name"]
        indexes = [models.Index(fields=["lat", "lng"], name="emergency_team_position")]


class Expert(Placed):
    """An emergency expert (应急专家); the phone is masked unless revealed (audited)."""

    field = models.CharField(_("field"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["name"]
        indexes = [models.Index(fields=["lat", "lng"], name="emergency_expert_position")]

    @property
    def masked_phone(self) -> str:
        p = self.phone
        return f"{p[:3]}****{p[-4:]}" if len(p) >= 8 else ("****" if p else "")


class Shelter(Placed):
    """An emergency shelter (应急避难场所): how many it holds and its level."""

    capacity = models.PositiveIntegerField(_("capacity (people)"), default=0)
    level = models.CharField(_("level"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("shelter")
        verbose_name_plural = _("shelters")
        ordering = ["name"]
        indexes = [models.Index(fields=["lat", "lng"], name="emergency_shelter_position")]


class DeploymentStatus(models.TextChoices):
    SENT = "sent", _("sent, waiting for acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    DEPARTED = "departed", _("departed")
    ARRIVED = "arrived", _("arrived")


class Deployment(models.Model):
    """A team sent to an incident, with the times it acknowledged, left and arrived."""

    incident = models.ForeignKey(
        "Incident",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="deployments",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("rescue team"), on_delete=models.PROTECT, related_name="deployments"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeploymentStatus.choices,
        default=DeploymentStatus.SENT,
    )
    distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = user_field(_("sent by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        ordering = ["incident", "sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "team"], name="emergency_team_deployed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} → {self.incident}"


class Shipment(models.Model):
    """Stock moved from a warehouse to an incident; the warehouse's stock fell with it."""

    incident = models.ForeignKey(
        "Incident", verbose_name=_("incident"), on_delete=models.CASCADE, related_name="shipments"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="shipments"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("material"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    shipped_at = models.DateTimeField(_("shipped at"), default=timezone.now)
    shipped_by = user_field(_("shipped by"))

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["incident", "shipped_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="emergency_shipment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} → {self.incident}: {self.item.name} × {self.quantity}"


class Receipt(models.Model):
    """Stock received into a warehouse (入库) by its keeper; the warehouse's stock rose
    with it in the same transaction (``resourcing.receive``)."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="receipts"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("material"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    source = models.CharField(_("from (supplier, donation, transfer)"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = user_field(_("received by"))
    # The stock after this receipt, as the keeper saw it confirmed.
    stock_after = models.PositiveIntegerField(_("stock after"))

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="emergency_receipt_positive")
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} ← {self.item.name} × {self.quantity}"


class TravelTime(models.Model):
    """One pair of the routing table: minutes by road from a region (street or community,
    by code) where a resource stands to a region where an incident is. Replaced as a
    whole by ``civicgrid import-travel-table``; every process reads it (``travel``)."""

    from_code = models.CharField(_("from (region code)"), max_length=15)
    to_code = models.CharField(_("to (region code)"), max_length=15)
    minutes = models.FloatField(_("minutes"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("routing table travel time")
        verbose_name_plural = _("routing table travel times")
        ordering = ["from_code", "to_code"]
        constraints = [
            models.UniqueConstraint(fields=["from_code", "to_code"], name="emergency_travel_pair"),
            models.CheckConstraint(
                condition=Q(minutes__gte=0), name="emergency_travel_minutes_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_code} → {self.to_code}: {self.minutes} min"
