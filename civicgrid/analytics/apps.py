from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "civicgrid.analytics"
    label = "analytics"
    verbose_name = _("analytics")

    def ready(self):
        post_migrate.connect(keep_count_triggers, sender=self)
        from civicgrid.regions.signals import paths_moved

        paths_moved.connect(recount_moved_areas, dispatch_uid="analytics.recount_moved_areas")


def keep_count_triggers(using="default", **kwargs) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it: put the screen's
    counters' triggers back (and recount) after every migrate. PostgreSQL keeps them."""
    from django.db import connections

    from .counts import install

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if "analytics_intakecount" in connection.introspection.table_names():
        install(connection=connection)


def recount_moved_areas(old_path: str, new_path: str, **kwargs) -> None:
    """Regions moved: a grid may sit under another community, its cases' paths changed
    (the triggers counted those); count the screen's counters afresh."""
    from .counts import refill

    refill()
