"""Three levels of centres (区—街道—社区): which centre holds a case, and where a new
case starts.

A centre is not a row of its own: it is a region of the district, street or community
level where someone works the queue (an active operator or dispatcher grant on exactly
that region). The district's is the centre (中心), a street's a sub-centre (分中心), a
community's a workstation (工作站). The centre holding a case is ``Case.owner_region``;
its level is the region's. A grid (网格) is the level below: a community may pass a case
down to its grid worker, who solves it there or raises it back up.

Where a case starts is configured per category in the routing app (``LevelRule``):
the lowest staffed centre where the case lies (the default), a fixed level, or straight
to a unit. See docs/centres.md.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.keys import accounts_version
from civicgrid.accounts.models import Role
from civicgrid.cases.models import Channel
from civicgrid.core.snapshot import Snapshot
from civicgrid.regions.lineage import lineage as region_lineage
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Department, StartLevel
from civicgrid.routing.services import level_rule_for

# The levels a centre can sit at, lowest first; the grid is the level below them all.
CENTRE_LEVELS = (Level.COMMUNITY, Level.STREET, Level.DISTRICT)
CENTRE_ROLES = (Role.OPERATOR, Role.DISPATCHER)

CENTRE_NAMES: dict[str, Any] = {
    Level.CITY: _("city centre"),
    Level.DISTRICT: _("district centre"),
    Level.STREET: _("street sub-centre"),
    Level.COMMUNITY: _("community workstation"),
    Level.GRID: _("grid worker"),
}


def centre_name(region: Region | None) -> str:
    """“第1街道 street sub-centre”: the region and the kind of centre at its level."""
    if region is None:
        return ""
    return f"{region.name} {CENTRE_NAMES.get(region.level, '')}".strip()


def event_data(region: Region | None) -> dict:
    """What an event records of the centre a move brings a case to (the strip reads it)."""
    if region is None:
        return {}
    return {"centre": region.name, "level": region.level}


def level_of(case) -> str:
    """The level of the centre holding ``case`` ("" when none holds it)."""
    return case.owner_region.level if case.owner_region_id else ""


def staffed(regions: list[Region]) -> set[int]:
    """Which of ``regions`` have a centre: someone active holding an operator or
    dispatcher grant on exactly that region. Read from a per-process copy of every
    staffed region (dropped when an account or a grant changes: ``accounts_version``)."""
    every = _staffed.get()
    return {r.pk for r in regions if r.pk in every}


def _all_staffed() -> frozenset[int]:
    rows = Region.objects.filter(
        grants__role__in=CENTRE_ROLES, grants__user__is_active=True
    ).values_list("pk", flat=True)
    return frozenset(rows)


_staffed: Snapshot[frozenset[int]] = Snapshot(accounts_version, _all_staffed)


@dataclass(frozen=True)
class Start:
    """Where a new case starts: the centre holding it and, for “straight to a unit”,
    the unit it is dispatched to on registration."""

    centre: Region | None
    unit: Department | None = None


# Where a new case lands by default, per channel (分级受理), when its category's rule
# does not name a level or a unit: every channel starts at the lowest staffed centre
# where the case lies (a grid worker's or a citizen's report in a community goes to the
# community's workstation first). A deployment changes a channel with the setting
# ``CIVICGRID_CHANNEL_START`` ({"hotline": "district", ...}). See docs/centres.md.
CHANNEL_START: dict[str, str] = {
    Channel.GRID_PATROL: StartLevel.LOWEST,
    Channel.CITIZEN: StartLevel.LOWEST,
    Channel.WEB: StartLevel.LOWEST,
    Channel.WALK_IN: StartLevel.LOWEST,
    Channel.HOTLINE: StartLevel.LOWEST,
    Channel.POLICE_DIVERSION: StartLevel.LOWEST,
    Channel.OPEN311: StartLevel.LOWEST,
    Channel.SENSOR: StartLevel.LOWEST,
    Channel.API: StartLevel.LOWEST,
}
CHANNEL_LEVELS = (StartLevel.LOWEST, StartLevel.COMMUNITY, StartLevel.STREET, StartLevel.DISTRICT)


def channel_starts() -> dict[str, str]:
    """Each channel's default starting level: the table above, with the setting's
    changes (unknown channels or levels in the setting are ignored)."""
    starts = dict(CHANNEL_START)
    for channel, level in (getattr(settings, "CIVICGRID_CHANNEL_START", None) or {}).items():
        if channel in starts and level in CHANNEL_LEVELS:
            starts[channel] = level
    return starts


def starting_centre(grid: Region, category, channel: str = "") -> Start:
    """The centre a new case in ``grid`` of ``category`` starts at: its category's
    ``LevelRule`` when that names a level or a unit, else its channel's default
    (``channel_starts``), else the lowest staffed centre."""
    lineage = [r for r in region_lineage(grid) if r.level in CENTRE_LEVELS]
    by_level = {r.level: r for r in lineage}
    district = by_level.get(Level.DISTRICT)
    rule = level_rule_for(category)
    start = rule.start if rule is not None else StartLevel.LOWEST
    if start == StartLevel.LOWEST:
        start = channel_starts().get(channel, StartLevel.LOWEST)
    if start == StartLevel.UNIT:
        unit = rule.unit if rule is not None and rule.unit and rule.unit.active else None
        return Start(district, unit)
    if start in (StartLevel.DISTRICT, StartLevel.STREET, StartLevel.COMMUNITY):
        return Start(by_level.get(start) or district)
    with_centre = staffed(lineage)
    lowest = next((r for r in lineage if r.pk in with_centre), None)
    return Start(lowest or district)


def next_down(case) -> Region | None:
    """The region one level below the case's centre, on the way to where it lies."""
    owner = case.owner_region if case.owner_region_id else None
    if owner is None or not case.region_path.startswith(owner.path):
        return None
    below = case.region_path[len(owner.path) :].split("/", 1)[0]
    if not below:
        return None
    return Region.objects.filter(path=f"{owner.path}{below}/").defer("boundary").first()


def levels_passed(case, *, events=None) -> list[dict]:
    """The centres a case went through, in order, from its events: each with its region
    name, level and the move that brought it there (the “levels” strip). ``events``:
    every event of the case, oldest first, already read (the timeline's entries or the
    events themselves); else they are read here."""
    from .lifecycle import Action

    moves = (
        Action.REGISTER,
        Action.ESCALATE,
        Action.SEND_BACK,
        Action.PASS_DOWN,
        Action.RAISE_FROM_GRID,
    )
    if events is None:
        found = case.events.filter(action__in=moves).order_by("at", "pk")
    else:
        found = [getattr(e, "event", e) for e in events]
        found = [e for e in found if e.action in moves]
    strip: list[dict] = []
    for event in found:
        data = event.data or {}
        name = data.get("centre") or data.get("region")
        level = data.get("level", "")
        if not name:
            continue
        if strip and strip[-1]["name"] == name:
            continue
        strip.append(
            {
                "name": name,
                "level": level,
                "level_label": CENTRE_NAMES.get(level, ""),
                "action": event.action,
                "at": event.at,
                "current": False,
            }
        )
    if case.owner_region_id:
        if not strip or strip[-1]["name"] != case.owner_region.name:
            strip.append(
                {
                    "name": case.owner_region.name,
                    "level": case.owner_region.level,
                    "level_label": CENTRE_NAMES.get(case.owner_region.level, ""),
                    "action": "",
                    "at": None,
                    "current": False,
                }
            )
        strip[-1]["current"] = True
    return strip
