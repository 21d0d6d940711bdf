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
        from civicgrid.regions.signals import paths_moved

        paths_moved.connect(follow_moved_centres, dispatch_uid="cases.follow_moved_centres")


def follow_moved_centres(old_path: str, new_path: str, **kwargs) -> None:
    """A subtree of regions moved: the cases its centres hold take their new paths in
    ``owner_path`` (the copy the scope filters read), as a join to the centre would."""
    from django.db.models import F, Value
    from django.db.models.functions import Concat, Substr

    from .models import Case

    Case.objects.filter(owner_path__startswith=old_path).update(
        owner_path=Concat(Value(new_path), Substr(F("owner_path"), len(old_path) + 1))
    )


def keep_map_count_triggers(using="default", **kwargs) -> None:
    """The open map counts' triggers, back after every migrate on SQLite."""
    from civicgrid.core.triggers import reinstall_on_sqlite

    from .mapcounts import install

    reinstall_on_sqlite(using, "cases_openmapcount", install)


def check_callback_retries(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A callback schedule that cannot be read would fail the callback page."""
    from django.core.exceptions import ImproperlyConfigured

    from .callbacks import retry_after

    try:
        retry_after()
    except ImproperlyConfigured as problem:
        return [checks.Error(str(problem), id="civicgrid.cases.E001")]
    return []
