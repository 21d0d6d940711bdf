"""Seeded months: cases and their events written in bulk, with exact totals.

``PLACES`` holds the figures the source articles report (Yicheng: 41,028 requests, 98.6 %
satisfied; Zhangye: 38,000 received, 37,000 closed) as ``Plan``s; ``seed(plan, month,
...)`` writes that many cases into one month, each with the events of its path through
the loop, so that the rollup and ``indicators`` give back exactly those numbers.
``civicgrid seed-figures`` runs it (``--scale`` for a smaller copy), the demo uses a
small ``Plan`` with realistic shares of late, returned, extended and reopened cases.

The cases are written straight into the tables (``bulk_create``), not through the
lifecycle: their events are the ones the lifecycle would have written, at chosen times.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.cases import events
from civicgrid.cases.lifecycle import Action as A  # noqa: N817 (the lifecycle's own alias)
from civicgrid.cases.models import Case, Channel, Rating, Status
from civicgrid.regions.models import Region
from civicgrid.routing.models import Category, Department


@dataclass(frozen=True)
class Plan:
    """How many cases, and how they end, in one month.

    ``closed`` go the whole loop and close with a satisfied or basically satisfied
    callback (``satisfied`` of them satisfied); ``unsatisfied`` are rated unsatisfied
    (``reopen`` of them reopened, the others waiting at the centre's review); the rest
    of ``received`` are still open at an earlier step. The shares pick, among the
    closed, those acknowledged late, replied late, extended or first returned by a
    wrong unit; ``direct`` of ``received`` are answered directly by the hotline.
    """

    received: int
    closed: int
    satisfied: int
    unsatisfied: int = 0
    reopen: bool = False
    direct: int = 0
    late_ack: float = 0.0
    late_reply: float = 0.0
    extended: float = 0.0
    returned: float = 0.0
    label: str = ""

    def scaled(self, factor: float) -> "Plan":
        """The same month, ``factor`` times as large (the rates kept as near as can be)."""
        if factor == 1:
            return self

        def n(value):
            return round(value * factor)

        received, closed, direct = n(self.received), n(self.closed), n(self.direct)
        return replace(
            self,
            received=received,
            closed=closed,
            satisfied=min(n(self.satisfied), closed),
            # Rounded so as never to end more cases than are received.
            unsatisfied=min(n(self.unsatisfied), received - closed - direct),
            direct=direct,
        )

    def check(self) -> None:
        if self.closed + self.unsatisfied + self.direct > self.received:
            raise ValueError("more cases end than are received")
        if self.satisfied > self.closed:
            raise ValueError("more satisfied than closed")


# The figures the source articles report (docs/assessment.md, "Reported figures").
PLACES: dict[str, Plan] = {
    # 宜城: 41,028 requests, 98.6 % satisfied (40,454 of 41,028 rated satisfied or basically).
    "yicheng": Plan(
        received=41_028,
        closed=40_454,
        satisfied=36_409,
        unsatisfied=574,
        late_ack=0.02,
        late_reply=0.03,
        label="宜城",
    ),
    # 张掖: 38,000 received, 37,000 closed.
    "zhangye": Plan(
        received=38_000,
        closed=37_000,
        satisfied=33_300,
        unsatisfied=260,
        late_ack=0.03,
        late_reply=0.04,
        extended=0.02,
        label="张掖",
    ),
}


@dataclass
class Places:
    """Where the seeded cases go: grids, units, leaf categories, and who acts."""

    grids: list[Region]
    departments: list[Department]
    categories: list[Category]
    actors: dict[str, int | None]


def places_in(district: Region | None) -> Places:
    grids = Region.objects.filter(level="grid")
    if district is not None:
        grids = grids.filter(path__startswith=district.path)
    departments = Department.objects.filter(active=True).exclude(kind="centre").order_by("pk")
    parents = set(Category.objects.exclude(parent=None).values_list("parent_id", flat=True))
    categories = [c for c in Category.objects.filter(active=True) if c.pk not in parents]
    return Places(list(grids.order_by("path")), list(departments), categories, {})


def _working_moment(rng: random.Random, day: date) -> datetime:
    minutes = rng.randint(9 * 60, 16 * 60)
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def _days(month: date, margin: int) -> list[date]:
    first = month.replace(day=1)
    after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    last = after - timedelta(days=1 + margin)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5] or days


def _script(kind: str, plan: Plan, rng: random.Random, start: datetime, dept: int, other: int):
    """The events of one case: (minutes after ``start``, action, data)."""
    steps: list[tuple[float, str, dict]] = [(0, A.REGISTER, {})]
    if kind == "direct":
        return [*steps, (8, A.ANSWER_DIRECTLY, {"reply": "已当场答复"})], Status.CLOSED, dept
    t = 10.0
    if kind == "closed" and rng.random() < plan.returned:
        steps += [
            (t, A.DISPATCH, {"department_id": other}),
            (t + 30, A.RETURN, {"department_id": other}),
            (t + 60, A.REASSIGN, {"department_id": dept, "return_accepted": True}),
        ]
        t += 60
    else:
        steps.append((t, A.DISPATCH, {"department_id": dept}))
    if kind == "waiting":
        stage = rng.choice(("dispatched", "handling", "replied"))
        if stage == "dispatched":
            return steps, Status.DISPATCHED, dept
        steps.append((t + 40, A.ACKNOWLEDGE, {}))
        if stage == "handling":
            return steps, Status.HANDLING, dept
        steps.append((t + 24 * 60, A.REPLY, {"reply": "已处理"}))
        return steps, Status.REPLIED, dept
    late_ack = rng.random() < plan.late_ack
    ack = t + (26 * 60 if late_ack else rng.randint(15, 150))
    steps.append((ack, A.ACKNOWLEDGE, {}))
    reply = ack + rng.randint(3 * 60, 2 * 24 * 60)
    if kind == "closed" and rng.random() < plan.extended:
        steps += [
            (ack + 60, A.REQUEST_EXTENSION, {"days": 3}),
            (ack + 120, A.APPROVE_EXTENSION, {"days": 3}),
        ]
    if rng.random() < plan.late_reply:
        reply = ack + 9 * 24 * 60
    steps += [
        (reply, A.REPLY, {"reply": "已处理完毕"}),
        (reply + 120, A.VERIFY_PASS, {}),
    ]
    if kind == "unsatisfied":
        steps.append((reply + 240, A.CALLBACK, {"rating": Rating.UNSATISFIED}))
        if plan.reopen:
            steps.append((reply + 300, A.REOPEN, {"rating": Rating.UNSATISFIED}))
            return steps, Status.DISPATCHED, dept
        return steps, Status.RATED, dept
    return steps, Status.CLOSED, dept  # the callback and close follow (``seed``)


def seed(
    plan: Plan,
    month: date,
    places: Places,
    *,
    seed_value: int = 13,
    prefix: str = "S",
    progress: Callable[[int], object] | None = None,
    chunk: int = 2000,
) -> int:
    """Write ``plan``'s cases and events into ``month``; returns the cases written.

    Deterministic for a given ``seed_value``. Case numbers are ``<prefix><yyyymm>-<n>``.
    """
    plan.check()
    if not places.grids or not places.departments:
        raise ValueError("the seed needs grids and departments (load the district first)")
    rng = random.Random(seed_value)
    kinds = (
        ["closed"] * plan.closed
        + ["unsatisfied"] * plan.unsatisfied
        + ["direct"] * plan.direct
        + ["waiting"] * (plan.received - plan.closed - plan.unsatisfied - plan.direct)
    )
    rng.shuffle(kinds)
    satisfied_left = plan.satisfied
    closed_left = plan.closed
    days = _days(month, margin=0)
    early_days = _days(month, margin=14)  # room for a late reply inside the month
    dispatcher = places.actors.get("dispatcher")
    written = 0
    for start in range(0, len(kinds), chunk):
        cases, scripts = [], []
        for i, kind in enumerate(kinds[start : start + chunk], start + 1):
            grid = rng.choice(places.grids)
            dept = rng.choice(places.departments)
            other = rng.choice(places.departments)
            category = rng.choice(places.categories) if places.categories else None
            begin = _working_moment(rng, rng.choice(early_days if kind != "direct" else days))
            steps, status, dept_id = _script(kind, plan, rng, begin, dept.pk, other.pk)
            rating = ""
            if kind == "closed":
                last = steps[-1][0]
                satisfied = rng.random() < satisfied_left / closed_left
                satisfied_left -= satisfied
                closed_left -= 1
                rating = Rating.SATISFIED if satisfied else Rating.BASICALLY
                steps += [(last + 120, A.CALLBACK, {"rating": rating}), (last + 180, A.CLOSE, {})]
            elif kind == "unsatisfied" and status == Status.RATED:
                rating = Rating.UNSATISFIED
            closed_at = begin + timedelta(minutes=steps[-1][0]) if status == Status.CLOSED else None
            cases.append(
                Case(
                    number=f"{prefix}{month:%Y%m}-{i:06d}",
                    channel=Channel.HOTLINE if rng.random() < 0.8 else Channel.WEB,
                    title="热线诉求",
                    content="（种子数据）",
                    category=category,
                    grid=grid,
                    region_path=grid.path,
                    status=status,
                    main_department_id=None if kind == "direct" else dept_id,
                    rating=rating,
                    created_at=begin,
                    closed_at=closed_at,
                    outcome="resolved" if status == Status.CLOSED else "",
                )
            )
            scripts.append((begin, steps))
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=1000)
            events.write_history(
                (
                    dict(
                        case=case,
                        at=begin + timedelta(minutes=offset),
                        action=action,
                        data=data,
                        actor_id=dispatcher if action in (A.DISPATCH, A.REASSIGN) else None,
                        public=False,
                    )
                    for case, (begin, steps) in zip(cases, scripts, strict=True)
                    for offset, action, data in steps
                ),
                batch_size=5000,
            )
        written += len(cases)
        if progress:
            progress(len(cases))
    return written
