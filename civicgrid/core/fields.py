"""Model fields several apps declare the same way."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def user_field(verbose_name, *, optional: bool = False) -> models.ForeignKey:
    """A link to the staff member who did something (recorded, decided, signed…).

    The user is protected from deletion while a record names them, and gets no reverse
    accessor (a user appears in dozens of such records; nobody navigates them from the
    user). ``optional`` for a step not taken yet (null until it is).
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=optional,
        blank=optional,
        on_delete=models.PROTECT,
        related_name="+",
    )


class Recorded(models.Model):
    """A record a staff member wrote down (a follow-up, a callback, a ruling): who and when."""

    recorded_by = user_field(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        abstract = True
