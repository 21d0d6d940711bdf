from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "civicgrid.emergency"
    verbose_name = _("Emergency command (应急指挥)")
