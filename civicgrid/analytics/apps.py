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
    """The screen's counters' triggers, back after every migrate on SQLite."""
    from civicgrid.core.triggers import reinstall_on_sqlite

    from .counts import install

    reinstall_on_sqlite(using, "analytics_intakecount", install)


def recount_moved_areas(old_path: str, new_path: str, **kwargs) -> None:
    """Regions moved: a grid may sit under another community, its cases' paths changed
    (the triggers counted those); count the screen's counters afresh."""
    from .counts import refill

    refill()
