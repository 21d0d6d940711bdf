from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "civicgrid.supervision"
    verbose_name = _("Supervision and accountability (督办问责)")
