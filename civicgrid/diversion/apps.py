from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiversionConfig(AppConfig):
    """110 ↔ 12345: calls the police centre diverts in, police matters handed back.
    Was the ``hotline`` app; its first migration takes over the ``hotline_*`` tables."""

    name = "civicgrid.diversion"
    label = "diversion"
    verbose_name = _("Hotline and 110 diversion")
