"""Demo hot issues: real repeated complaints from the shipped TipDM sample, placed in
demo grids so the hot-issue page, duplicate search and +1 have something to show.

Each topic's messages (places anonymised by the publisher: A市, A2区 …) go to one demo
grid and its nearest neighbours, spread over a window of recent days in their original
order; one person (TipDM user id) gets one phone number; likes become up to
``MAX_SUPPORTERS`` supporters; a person's repeat of their own message is merged into the
first. Safe to run again: nothing is added twice, the hot issues are recomputed.
"""

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from civicgrid.accounts.models import Role, User
from civicgrid.cases import services as case_services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.duplicates import services
from civicgrid.duplicates.models import GridNeighbour, Supporter
from civicgrid.duplicates.neighbours import build_grid_neighbours, neighbours_of
from civicgrid.duplicates.text import likeness, message_text, shingles
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Category
from civicgrid.routing.services import suggest

from . import hot_issues_sample as sample

MARK = "tipdm_hot_issue"  # key in Case.extra of the demo's hot-issue cases
MAX_SUPPORTERS = 8
# Neighbours farther than this from the chosen grid are not used (hot issues are local).
NEAR_M = 900
SEED = 2020


@dataclass(frozen=True)
class Topic:
    """Messages naming ``place`` and one of ``about``, in ``category``, from ``days`` ago."""

    place: tuple[str, ...]
    about: tuple[str, ...]
    category: tuple[str, str]
    days: tuple[int, int]  # (first, last) report, in days before now


TOPICS = [
    Topic(("丽发新城", "丽发小区"), ("搅拌",), ("环境保护", "环境污染"), (20, 0)),
    Topic(("伊景园", "滨河苑"), ("车位",), ("城乡建设", "住房保障与房地产"), (40, 6)),
    Topic(("魅力之城",), ("油烟", "噪音", "夜宵", "烧烤"), ("环境保护", "环境污染"), (15, 1)),
    Topic(("58车贷", "58车货"), ("",), ("政法", "刑案侦破"), (26, 3)),
    Topic(("经济学院",), ("实习", "打工", "工厂"), ("教育文体", "教育行政管理"), (9, 0)),
    Topic(("五矿万境",), ("",), ("城乡建设", "工程质量"), (35, 12)),
    Topic(("茶场村",), ("拆迁", "规划"), ("城乡建设", "集体土地上房屋拆迁与补偿"), (60, 32)),
]


def _phone(*parts: str) -> str:
    digest = hashlib.sha256(":".join(parts).encode()).hexdigest()
    return "13" + str(int(digest[:12], 16) % 10**9).zfill(9)


def _messages(topic: Topic, rows: list[dict]) -> list[dict]:
    chosen = []
    for row in rows:
        text = row["title"] + row["detail"]
        if any(p in text for p in topic.place) and any(a in text for a in topic.about):
            chosen.append(row)
    return sorted(chosen, key=lambda r: r["time"])


def _metres(a: Region, b: Region) -> float:
    # Small distances: an equirectangular approximation is plenty.
    from math import cos, radians, sqrt

    dx = radians(b.centroid_lng - a.centroid_lng) * cos(radians(a.centroid_lat))
    dy = radians(b.centroid_lat - a.centroid_lat)
    return 6_371_000 * sqrt(dx * dx + dy * dy)


def _places(count: int, rng: random.Random) -> list[list[Region]]:
    """``count`` grids in different streets, each with its nearby neighbours."""
    grids = {g.pk: g for g in Region.objects.filter(level=Level.GRID).defer("boundary")}
    streets_used: set[str] = set()
    found = []
    for grid in rng.sample(sorted(grids.values(), key=lambda g: g.code), len(grids)):
        street = grid.path.split("/")[2]
        # Hot issues are clustered street by street: stay inside the grid's street.
        near = [
            grids[n]
            for n in neighbours_of(grid.pk)
            if n in grids
            and grids[n].path.split("/")[2] == street
            and _metres(grid, grids[n]) <= NEAR_M
        ]
        if street in streets_used or len(near) < 2 or grid.centroid_lng is None:
            continue
        streets_used.add(street)
        found.append([grid, *near[:3]])
        if len(found) == count:
            break
    return found


def _category(names: tuple[str, str]) -> Category | None:
    return Category.objects.filter(
        name=names[1], parent__name=names[0], parent__parent__isnull=True
    ).first()


def _times(messages: list[dict], days: tuple[int, int], now: datetime) -> list[datetime]:
    """The messages' times squeezed, in order, into the topic's window before ``now``."""
    start, end = now - timedelta(days=days[0]), now - timedelta(days=days[1], hours=1)
    original = [datetime.fromisoformat(m["time"]) for m in messages]
    first, last = min(original), max(original)
    span = (last - first).total_seconds() or 1.0
    return [start + (end - start) * ((t - first).total_seconds() / span) for t in original]


def _backdate(case: Case, at: datetime) -> None:
    """Demo only: the case arrived at ``at`` (its registration event too)."""
    Case.objects.filter(pk=case.pk).update(created_at=at)
    CaseEvent.objects.filter(case=case, action=Action.REGISTER).update(at=at)
    case.created_at = at


def _register(message: dict, category, grid: Region, operator) -> Case:
    return case_services.register_case(
        case_services.Intake(
            channel="web",
            title=message["title"][:200],
            content=message["detail"] or message["title"],
            category=category,
            request_type="complaint",
            lng=grid.centroid_lng,
            lat=grid.centroid_lat,
            reporter_phone=_phone("tipdm", message["user"]),
            extra={MARK: message["id"]},
        ),
        actor=operator,
    )


def _repeat_of(message: dict, earlier: list[tuple[dict, Case]]) -> Case | None:
    """The same person's earlier, still open case saying the same: merge into it."""
    mine = shingles(message_text(message["title"], message["detail"]))
    for old, case in earlier:
        if old["user"] == message["user"] and case.status != "merged":
            theirs = shingles(message_text(old["title"], old["detail"]))
            if likeness(mine, theirs) >= 0.54:
                return case
    return None


def _load_topic(topic, messages, place, users, now, rng) -> int:
    category = _category(topic.category)
    earlier: list[tuple[dict, Case]] = []
    for message, at in zip(messages, _times(messages, topic.days, now), strict=True):
        grid = place[0] if rng.random() < 0.6 else rng.choice(place)
        repeat = _repeat_of(message, earlier)
        case = _register(message, category, grid, users["operator"])
        _backdate(case, at)
        if repeat is not None:
            case_services.act(case, Action.MERGE, actor=users["operator"], into=repeat)
        else:
            _maybe_dispatch(case, users, rng)
        for k in range(min(int(message["likes"] or 0), MAX_SUPPORTERS)):
            supporter = services.join(
                case, phone=_phone("like", message["id"], str(k)), channel="web", actor=None
            )
            Supporter.objects.filter(pk=supporter.pk).update(created_at=at)  # demo only
        earlier.append((message, case))
    return len(messages)


def _maybe_dispatch(case: Case, users: dict, rng: random.Random) -> None:
    main, co = suggest(case.category, case.grid)
    if main is not None and rng.random() < 0.5:
        case_services.act(
            case,
            Action.DISPATCH,
            actor=users["dispatcher"],
            main_department=main,
            note="请核实处理",
        )


def load_demo_hot_issues(progress: bool = True) -> int:
    """Add the hot-issue demo cases (once), then recompute the hot issues."""
    if not GridNeighbour.objects.exists():
        build_grid_neighbours(progress=progress)
    staff = User.objects.filter(grants__role__in=(Role.OPERATOR, Role.DISPATCHER)).distinct()
    users = {u.username: u for u in staff}
    added = 0
    if not Case.objects.filter(extra__has_key=MARK).exists() and {"operator", "dispatcher"} <= set(
        users
    ):
        rng = random.Random(SEED)
        rows = sample.load()
        now = timezone.now()
        places = _places(len(TOPICS), rng)
        for topic, place in tqdm(
            list(zip(TOPICS, places, strict=False)), disable=not progress, desc=_("hot issues")
        ):
            with transaction.atomic():
                added += _load_topic(topic, _messages(topic, rows), place, users, now, rng)
    services.refresh_hot_issues()
    return added
