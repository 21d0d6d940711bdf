"""Calls the 110 police centre passes to 12345 (非警务警情分流), and what goes back."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Diversion(models.Model):
    """A non-police call diverted from 110: the 110 incident number and its case.

    The incident number is unique, so 110 may resend a diversion safely: the second
    request gets the case the first made.
    """

    incident_number = models.CharField(_("110 incident number"), max_length=40, unique=True)
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="diversion"
    )
    received_at = models.DateTimeField(_("diverted at"), default=timezone.now)
    police_received_at = models.DateTimeField(_("call taken by 110 at"), null=True, blank=True)

    class Meta:
        verbose_name = _("110 diversion")
        verbose_name_plural = _("110 diversions")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.incident_number} → {self.case_id}"
