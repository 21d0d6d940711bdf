"""Early warning (预警): a category rising sharply in an area against its own baseline.

For each area of one level (streets by default) and each category, the day's count of
new cases is compared with the previous ``window`` days (28): a notice is raised when the
count is at least ``minimum`` and above ``mean + k·sd`` of those days (days without a
case count as 0). A flat series never triggers: its sd is small but the count must still
exceed its mean by ``k`` of them and reach the minimum. One grouped query reads the whole
window; ``civicgrid early-warning`` runs it (daily, or every hour for today so far).
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Left, TruncDate
from django.utils import timezone

from civicgrid.cases.models import Case
from civicgrid.regions.models import Level, Region

from .models import SurgeNotice

WINDOW = 28
K = 3.0
MINIMUM = 5


@dataclass(frozen=True)
class Rule:
    """How sharp a rise must be to raise a notice."""

    k: float = K
    minimum: int = MINIMUM
    window: int = WINDOW
    level: str = Level.STREET


@dataclass(frozen=True)
class Surge:
    region: Region
    category_id: int
    count: int
    mean: float
    sd: float


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def daily_counts(day: date, rule: Rule) -> dict[tuple[str, int], dict[date, int]]:
    """New cases per (area path, category) per day, over the window and ``day``."""
    areas = Region.objects.filter(level=rule.level).values_list("path", flat=True)
    lengths = {len(p) for p in areas}
    counts: dict[tuple[str, int], dict[date, int]] = {}
    since, until = _start(day - timedelta(days=rule.window)), _start(day + timedelta(days=1))
    for length in lengths:
        rows = (
            Case.objects.filter(created_at__gte=since, created_at__lt=until, category__isnull=False)
            .exclude(region_path="")
            .order_by()
            .annotate(area=Left("region_path", length), on=TruncDate("created_at"))
            .values("area", "category_id", "on")
            .annotate(n=Count("*"))
        )
        for row in rows:
            counts.setdefault((row["area"], row["category_id"]), {})[row["on"]] = row["n"]
    return counts


def surges(day: date, rule: Rule = Rule()) -> list[Surge]:
    """The (area, category) pairs whose count on ``day`` is a surge under ``rule``."""
    found = []
    by_path = {r.path: r for r in Region.objects.filter(level=rule.level).defer("boundary")}
    for (path, category_id), days in daily_counts(day, rule).items():
        count = days.get(day, 0)
        if count < rule.minimum or path not in by_path:
            continue
        before = [days.get(day - timedelta(days=i), 0) for i in range(1, rule.window + 1)]
        mean = statistics.fmean(before)
        sd = statistics.pstdev(before)
        if count > mean + rule.k * sd:
            found.append(Surge(by_path[path], category_id, count, mean, sd))
    return found


def raise_notices(day: date, rule: Rule = Rule()) -> list[SurgeNotice]:
    """Store a notice for each surge on ``day`` not noticed yet; the new notices."""
    raised = []
    for surge in surges(day, rule):
        threshold = surge.mean + rule.k * surge.sd
        with transaction.atomic():
            notice, created = SurgeNotice.objects.get_or_create(
                region=surge.region,
                category_id=surge.category_id,
                day=day,
                defaults={
                    "count": surge.count,
                    "baseline_mean": round(surge.mean, 2),
                    "baseline_sd": round(surge.sd, 2),
                    "threshold": round(threshold, 2),
                    "excess": round(surge.count / threshold, 2) if threshold else surge.count,
                },
            )
        if not created and notice.count != surge.count:
            # Run again later the same day: the count has grown, the notice follows it.
            SurgeNotice.objects.filter(pk=notice.pk).update(count=surge.count)
        if created:
            raised.append(notice)
    return raised
