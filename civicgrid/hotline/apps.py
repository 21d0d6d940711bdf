from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "civicgrid.hotline"
    verbose_name = _("Hotline and 110 diversion")
