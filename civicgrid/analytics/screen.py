"""What the one screen shows, gathered for the page, its htmx refresh and the API.

The wall mode (the command room's screens, refreshed every minute, often several at
once) reuses what it gathered for ``settings.ANALYTICS_WALL_CACHE_SECONDS`` (30 s), in
the shared cache, keyed by region, period and language: every wall showing the same
region then costs one count per period, whatever the number of screens and processes.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from civicgrid.duplicates.models import HotIssue
from civicgrid.regions.models import Region
from civicgrid.supervision.models import Project

from . import figures
from .models import SurgeNotice
from .periods import Period

HOT_ISSUES_SHOWN = 5
SURGES_SHOWN = 5
PROJECTS_SHOWN = 5


def hot_issues(region: Region, limit: int = HOT_ISSUES_SHOWN) -> list[HotIssue]:
    return list(
        HotIssue.objects.filter(region_path__startswith=region.path)
        .select_related("category")
        .order_by("-rank")[:limit]
    )


def recent_surges(region: Region, period: Period, limit: int = SURGES_SHOWN) -> list[SurgeNotice]:
    return list(
        SurgeNotice.objects.in_scope([region])
        .filter(day__gte=period.start, day__lt=period.end)
        .select_related("region", "category")
        .order_by("-excess")[:limit]
    )


def projects(region: Region, limit: int = PROJECTS_SHOWN) -> list[Project]:
    return list(
        Project.objects.open()
        .filter(region__path__startswith=region.path)
        .select_related("owner")
        .with_progress()
        .order_by("due_on")[:limit]
    )


def _gathered(region: Region, period: Period) -> dict:
    now = timezone.now()
    seen = figures.overview(region, period, now)
    return {
        "figures": seen.figures,
        "rows": seen.rows,
        "hot_issues": hot_issues(region),
        "surges": recent_surges(region, period),
        "projects": projects(region),
        "now": now,
    }


def wall_cache_key(region: Region, period: Period) -> str:
    """The shared cache's key for the wall figures of ``region`` over ``period``."""
    named = urlencode(sorted(period.query().items()))
    return f"analytics:wall:{region.pk}:{named}:{translation.get_language()}"


def screen_context(user, region: Region, period: Period, *, wall: bool = False) -> dict:
    """Figures, drill-down rows, breadcrumb, hot issues, surges and projects; for the
    wall (``wall``), as gathered at most ``ANALYTICS_WALL_CACHE_SECONDS`` ago."""
    tops = figures.roots(user)
    top = next(t for t in tops if region.path.startswith(t.path))
    if wall:
        key = wall_cache_key(region, period)
        gathered = cache.get(key)
        if gathered is None:
            gathered = _gathered(region, period)
            cache.set(key, gathered, settings.ANALYTICS_WALL_CACHE_SECONDS)
    else:
        gathered = _gathered(region, period)
    return {
        "region": region,
        "period": period,
        "period_query": urlencode(period.query()),
        "crumbs": figures.lineage(region, top),
        **gathered,
    }
