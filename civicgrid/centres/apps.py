from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentresConfig(AppConfig):
    name = "civicgrid.centres"
    verbose_name = _("Centres: stationed units and co-handling (进驻与协办)")
