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
