"""Demo assessment: last month's cases with realistic shares (most on time, some late,
returned, extended, reopened), a scheme, reverse evaluations and the red/black list."""

import random
from datetime import date, timedelta

from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.assessment import services
from civicgrid.assessment.models import Rater, ReverseEvaluation, Scheme
from civicgrid.assessment.rollup import roll_up
from civicgrid.assessment.seed import Plan, places_in, seed
from civicgrid.cases.models import Case
from civicgrid.regions.models import Level, Region

DEMO_MONTH_PLAN = Plan(
    received=600,
    closed=515,
    satisfied=430,
    unsatisfied=25,
    reopen=True,
    direct=30,
    late_ack=0.08,
    late_reply=0.10,
    extended=0.04,
    returned=0.03,
    label="演示",
)
WEIGHTS = {
    "response": 15,
    "resolution": 20,
    "satisfaction": 25,
    "reply_on_time": 15,
    "return": 5,
    "rework": 5,
    "reverse": 15,
}


def last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def load_demo(progress: bool = False) -> None:
    """Safe to run again: each part only when it is not there yet."""
    month = last_month()
    assessor = User.objects.get(username="assessor")
    if not Scheme.objects.exists():
        services.save_scheme(
            actor=assessor,
            name="2026年度考核方案",
            valid_from=date(month.year, 1, 1) if month.month > 1 else month,
            weights=WEIGHTS,
        )
    places = places_in(None)
    places.actors["dispatcher"] = User.objects.get(username="dispatcher").pk
    if not Case.objects.filter(number__startswith=f"D{month:%Y%m}-").exists():
        seed(DEMO_MONTH_PLAN, month, places, prefix="D", seed_value=2026)
    roll_up()
    if not ReverseEvaluation.objects.filter(month=month).exists():
        _reverse(month, places)
    services.compile_list(month, actor=assessor)


def _reverse(month: date, places) -> None:
    rng = random.Random(7)
    rows = []
    used_grids = places.grids[:40]
    for i in range(120):
        grid = rng.choice(used_grids)
        rows.append(
            ReverseEvaluation(
                rater_kind=Rater.RESIDENT,
                month=month,
                region=grid,
                target=f"r:{grid.pk}",
                rater_key=services.resident_key(f"1390000{i:04d}"),
                stars=rng.choice((5, 5, 5, 4, 4, 3, 2)),
            )
        )
    worker = User.objects.get(username="gridworker")
    for community in services.communities_of_grid_worker(worker):
        rows.append(
            ReverseEvaluation(
                rater_kind=Rater.GRID_WORKER,
                month=month,
                region=community,
                target=f"r:{community.pk}",
                rater=worker,
                rater_key=f"user:{worker.pk}",
                stars=4,
                comment="社区支持网格工作及时",
            )
        )
    speaker = User.objects.get(username="community")
    communities = list(Region.objects.filter(level=Level.COMMUNITY).order_by("code")[:12])
    for community in [*services.communities_of(speaker), *communities]:
        for department in places.departments:
            rows.append(
                ReverseEvaluation(
                    rater_kind=Rater.COMMUNITY,
                    month=month,
                    department=department,
                    target=f"d:{department.pk}",
                    rater=speaker,
                    rater_key=f"community:{community.pk}",
                    stars=rng.choice((5, 4, 4, 3, 3, 2)),
                )
            )
    ReverseEvaluation.objects.bulk_create(rows, ignore_conflicts=True)
