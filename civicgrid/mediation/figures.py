"""Zhangye's published court-diversion figures, reproduced from a seeded data set.

The source (``/shared/seeds/002``, Zhangye 2020): "两级法院共向综治中心分流案件4248件,
调解成功率为62.77%;向审前调解中心分流案件1970件,调解成功率为56.92%". Two separate
flows: cases the courts diverted to the centre before filing (委派, source
``court_delegated``) and cases sent to the pre-trial mediation centre after filing
(委托, source ``court_entrusted``).

No whole number of successes gives exactly the published rates: 62.77 % of 4,248 is
2,666.47 (2,666 → 62.76 %, 2,667 → 62.78 %) and 56.92 % of 1,970 is 1,121.32
(1,121 → 56.90 %, 1,122 → 56.95 %). We seed the nearest whole numbers, 2,666 and
1,121; both round to the published rates at one decimal (62.8 %, 56.9 %).

``seed`` writes the disputes and their cases in bulk (no events: a statistical data
set, not a history) and rebuilds the rollup.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from civicgrid.cases.models import Case, Channel, Status
from civicgrid.regions.models import Level, Region

from . import statistics
from .models import (
    Colour,
    Court,
    Dispute,
    DisputeState,
    DisputeType,
    Organisation,
    OrganisationKind,
    Scale,
    Source,
)
from .models import (
    Level as RiskLevel,
)


@dataclass(frozen=True)
class Flow:
    organisation: str
    source: str
    court: str
    accepted: int
    succeeded: int
    published_rate: str


FLOWS = (
    Flow(
        "张掖市综治中心诉调对接工作室", Source.COURT_DELEGATED, Court.DELEGATED, 4248, 2666, "62.77"
    ),
    Flow("张掖市审前调解中心", Source.COURT_ENTRUSTED, Court.ENTRUSTED, 1970, 1121, "56.92"),
)
YEAR = 2020
PREFIX = "ZY"


def seed(region: Region | None = None, *, year: int = YEAR, progress=None) -> dict:
    """Seed the two flows (again: earlier seeded disputes are replaced); the counts."""
    region = region or Region.objects.filter(level=Level.DISTRICT).order_by("code").first()
    types = list(DisputeType.objects.filter(parent__isnull=False).order_by("code")[:12])
    if not types:
        raise ValueError("load the dispute taxonomy first (migrate)")
    with transaction.atomic():
        Case.objects.filter(number__startswith=PREFIX).delete()
        done = {}
        for f_index, flow in enumerate(FLOWS):
            organisation, _ = Organisation.objects.get_or_create(
                name=flow.organisation,
                defaults={"kind": OrganisationKind.CENTRE, "region": region},
            )
            cases, disputes = [], []
            for i in range(flow.accepted):
                # Spread over the year, day by day.
                at = datetime(year, 1, 1, 9, tzinfo=timezone.get_current_timezone()) + timedelta(
                    days=(i * 365) // flow.accepted, minutes=i % 480
                )
                number = f"{PREFIX}{f_index}{i:07d}"
                cases.append(
                    Case(
                        number=number,
                        channel=Channel.WALK_IN,
                        title="法院分流纠纷",
                        content="法院分流纠纷（统计数据集）",
                        region_path=region.path if region else "",
                        owner_region=region,
                        owner_path=region.path if region else "",  # bulk_create skips save
                        status=Status.CLOSED,
                        created_at=at,
                        closed_at=at + timedelta(days=20),
                    )
                )
                succeeded = i < flow.succeeded
                written = succeeded and i % 3 != 2
                disputes.append(
                    dict(
                        type=types[i % len(types)],
                        source=flow.source,
                        court=flow.court,
                        state=DisputeState.CLOSED,
                        people_involved=2,
                        amount=Decimal(1000 + (i % 50) * 100),
                        other_side_consents=True,
                        scale=Scale.INDIVIDUAL,
                        level=RiskLevel.GENERAL,
                        colour=Colour.YELLOW,
                        organisation=organisation,
                        registered_at=at,
                        accepted_at=at,
                        outcome_at=at + timedelta(days=15),
                        facts="双方达成协议" if succeeded else "",
                        failure_reason="" if succeeded else "双方分歧较大",
                        confirm_by=at + timedelta(days=45) if written else None,
                        confirmation_applied_at=at + timedelta(days=20)
                        if written and i % 2
                        else None,
                    )
                )
            Case.objects.bulk_create(cases, batch_size=2000)
            ids = dict(
                Case.objects.filter(number__startswith=f"{PREFIX}{f_index}").values_list(
                    "number", "pk"
                )
            )
            Dispute.objects.bulk_create(
                [
                    Dispute(case_id=ids[case.number], **fields)
                    for case, fields in zip(cases, disputes, strict=True)
                ],
                batch_size=2000,
            )
            done[flow.source] = flow.accepted
            if progress:
                progress(flow)
    statistics.rebuild()
    return done
