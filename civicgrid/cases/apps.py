from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "civicgrid.cases"
    label = "cases"
    verbose_name = _("cases")

    def ready(self):
        checks.register(check_callback_retries)


def check_callback_retries(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A callback schedule that cannot be read would fail the callback page."""
    from django.core.exceptions import ImproperlyConfigured

    from .callbacks import retry_after

    try:
        retry_after()
    except ImproperlyConfigured as problem:
        return [checks.Error(str(problem), id="civicgrid.cases.E001")]
    return []
