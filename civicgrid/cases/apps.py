from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "civicgrid.cases"
    label = "cases"
    verbose_name = _("cases")

    def ready(self):
        checks.register(check_callback_retries)
        post_migrate.connect(keep_map_count_triggers, sender=self)


def keep_map_count_triggers(using="default", **kwargs) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it: put the open map
    counts' triggers back (and recount) after every migrate. PostgreSQL keeps them."""
    from django.db import connections

    from .mapcounts import install

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if "cases_openmapcount" in connection.introspection.table_names():
        install(connection=connection)


def check_callback_retries(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A callback schedule that cannot be read would fail the callback page."""
    from django.core.exceptions import ImproperlyConfigured

    from .callbacks import retry_after

    try:
        retry_after()
    except ImproperlyConfigured as problem:
        return [checks.Error(str(problem), id="civicgrid.cases.E001")]
    return []
