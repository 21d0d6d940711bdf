from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "civicgrid.notifications"
    label = "notifications"
    verbose_name = _("notifications")

    def ready(self):
        checks.register(check_lease)


def check_lease(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A lease shorter than a send could let a second sender take a row in mid-send."""
    from .sender import lease_problem

    problem = lease_problem()
    return [checks.Error(problem, id="civicgrid.notifications.E001")] if problem else []
