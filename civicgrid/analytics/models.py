"""The analytics app's own data: the early-warning notices (预警). It never writes cases."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SurgeNoticeQuerySet(models.QuerySet):
    def in_scope(self, regions) -> "SurgeNoticeQuerySet":
        """Notices about areas inside any of ``regions``."""
        query = models.Q(pk__in=[])
        for region in regions:
            query |= models.Q(region__path__startswith=region.path)
        return self.filter(query)


class SurgeNotice(models.Model):
    """A category rising sharply in an area on one day, against its own recent baseline.

    Raised by ``civicgrid early-warning`` (``analytics.warning``) when the day's count is
    at least ``minimum`` and above ``mean + k·sd`` of the days before; one notice per
    area, category and day, so running the command again raises nothing twice. The centre
    sees them on the one screen and the warnings page, and marks them seen.
    """

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "routing.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("cases that day"))
    baseline_mean = models.FloatField(_("baseline mean"))
    baseline_sd = models.FloatField(_("baseline standard deviation"))
    threshold = models.FloatField(_("threshold"))
    excess = models.FloatField(_("times the threshold"), default=0)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    objects = SurgeNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("surge notice")
        verbose_name_plural = _("surge notices")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "category", "day"], name="analytics_one_surge_per_day"
            )
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.region} {self.category}: {self.count}"


class IntakeCount(models.Model):
    """The cases received on one local day in one area by one channel, and how many of
    them are closed, rated and satisfied now: the one screen's intake, kept by database
    triggers on ``cases_case`` (``analytics.counts``), equal to a count over the cases.

    ``area_path`` is the case's place or, unplaced, its owner centre's path, a grid's
    cases counted at its community (so a district's month is a few thousand rows)."""

    day = models.DateField()
    area_path = models.CharField(max_length=255)
    channel = models.CharField(max_length=20)
    received = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area_path", "channel"], name="analytics_intake_count_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} {self.channel}: {self.received}"


class OpenCount(models.Model):
    """The open cases of one area whose deadline falls on one day (UTC, ``YYYY-MM-DD``;
    empty: no deadline), alerts (the sensor channel) apart: kept by the same triggers.
    The open cases of an area are its rows' sum; the overdue ones those of the days
    before today plus the few due today before now, counted live."""

    area_path = models.CharField(max_length=255)
    due_day = models.CharField(max_length=10, blank=True)
    alert = models.BooleanField(default=False)
    open_cases = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "due_day", "alert"], name="analytics_open_count_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_path} {self.due_day}: {self.open_cases}"
