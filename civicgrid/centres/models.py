"""The district centre's stationed units and their rota (进驻部门), the summons of the
one on duty, and the co-handling units' own parts of a case (协办).

The levels of centres themselves (district, street, community) are the region tree's:
``cases.centres``. See docs/centres.md.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import user_field


class DutyMode(models.TextChoices):
    PERMANENT = "permanent", _("permanent (常驻)")
    ROTATING = "rotating", _("rotating (轮驻)")
    ON_CALL = "on_call", _("on call (随叫随驻)")


class StationingQuerySet(models.QuerySet):
    def on(self, day: date):
        """The rota rows that cover ``day``."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class Stationing(models.Model):
    """One line of a centre's rota: a unit stationed in the centre, how (permanent,
    rotating on its dates, or on call) and from when to when."""

    centre = models.ForeignKey(
        "regions.Region",
        verbose_name=_("centre"),
        on_delete=models.CASCADE,
        related_name="stationings",
        help_text=_("The region whose centre the unit is stationed in (a district)."),
    )
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="stationings",
    )
    mode = models.CharField(_("mode"), max_length=10, choices=DutyMode.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    desk = models.CharField(_("desk"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = StationingQuerySet.as_manager()

    class Meta:
        verbose_name = _("stationed unit")
        verbose_name_plural = _("stationed units (rota)")
        ordering = ["centre", "starts_on", "department"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="stationing_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_mode_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The rota line ends before it starts.")})


class DutySummons(models.Model):
    """The centre summoned a stationed unit to a case (调度进驻部门)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="summonses"
    )
    stationing = models.ForeignKey(
        Stationing, verbose_name=_("rota line"), on_delete=models.PROTECT, related_name="summonses"
    )
    note = models.CharField(_("what is asked"), max_length=1000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("summons of a stationed unit")
        verbose_name_plural = _("summonses of stationed units")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case} · {self.stationing}"


class CoPart(models.Model):
    """A co-handling unit's own part of a case (协办): its deadline and its reply, which
    the main unit reads before it replies to the citizen."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="co_parts"
    )
    department = models.ForeignKey(
        "routing.Department", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("reply due"), db_index=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = user_field(_("replied by"), optional=True)

    class Meta:
        verbose_name = _("co-handling part")
        verbose_name_plural = _("co-handling parts")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "department"], name="one_part_per_co_unit")
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.department}"

    @property
    def is_late(self) -> bool:
        from django.utils import timezone

        return self.replied_at is None and self.due_at < timezone.now()
