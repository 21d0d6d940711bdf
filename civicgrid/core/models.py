"""What several apps share: the holiday calendar and the audit of personal-data reads."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("public holiday (day off)")
    WORKDAY = "workday", _("make-up workday")


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a holiday or a make-up workday."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose official holiday schedule is loaded.

    Deadlines in a year missing here fall back to plain weekends, and admins are warned.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class PersonalDataRead(models.Model):
    """One read of unmasked personal data (a caller's phone, a name): who, what, when."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT
    )
    subject = models.CharField(_("subject"), max_length=100, help_text=_("e.g. case number"))
    field = models.CharField(_("field"), max_length=50)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("personal data read")
        verbose_name_plural = _("personal data reads")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.subject} {self.field}"


class BenchRow(models.Model):
    """A throw-away row written by ``/bench/bare-insert/``, the baseline of ``bench/intake.py``.

    Nothing in the product reads it; the endpoint exists only when
    ``CIVICGRID_BENCH_ENDPOINTS`` is on.
    """

    payload = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"bench row {self.pk}"
