"""What the one screen shows, gathered for the page, its htmx refresh and the API."""

from urllib.parse import urlencode

from django.utils import timezone

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
        .order_by("-heat")[:limit]
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


def screen_context(user, region: Region, period: Period) -> dict:
    """Figures, drill-down rows, breadcrumb, hot issues, surges and projects."""
    tops = figures.roots(user)
    top = next(t for t in tops if region.path.startswith(t.path))
    now = timezone.now()
    seen = figures.overview(region, period, now)
    return {
        "region": region,
        "period": period,
        "period_query": urlencode(period.query()),
        "figures": seen.figures,
        "rows": seen.rows,
        "crumbs": figures.lineage(region, top),
        "hot_issues": hot_issues(region),
        "surges": recent_surges(region, period),
        "projects": projects(region),
        "now": now,
    }
