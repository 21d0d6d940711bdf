"""Who sees and runs which grid's field work.

The grid's team: grid workers whose grant covers the grid. The community (and the centres
above it): leaders and dispatchers whose grant covers the grid. Households and visits are
seen by those two only, never on a public page.
"""

from django.db.models import Q

from civicgrid.accounts.models import Role
from civicgrid.regions.models import Level, Region

TEAM = (Role.GRID_WORKER,)
COMMUNITY = (Role.LEADER, Role.DISPATCHER)


def is_admin(user) -> bool:
    return user.is_superuser or user.has_role(Role.ADMIN)


def paths_of(user, roles) -> list[str]:
    return sorted({p for g in user.grants_for(*roles) for p in g.region_paths})


def _covers(paths, grid: Region) -> bool:
    return any(grid.path.startswith(p) for p in paths)


def in_team(user, grid: Region) -> bool:
    return user.is_authenticated and _covers(paths_of(user, TEAM), grid)


def in_community(user, grid: Region) -> bool:
    return user.is_authenticated and (is_admin(user) or _covers(paths_of(user, COMMUNITY), grid))


def may_see(user, grid: Region) -> bool:
    return in_team(user, grid) or in_community(user, grid)


def _under(paths):
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path)
    return query


def team_grids(user):
    """The grids a grid worker works in."""
    paths = paths_of(user, TEAM)
    if not paths:
        return Region.objects.none()
    return Region.objects.filter(_under(paths), level=Level.GRID)


def visible_grids(user):
    """Every grid the user sees the field work of (team and community)."""
    if is_admin(user):
        return Region.objects.filter(level=Level.GRID)
    paths = paths_of(user, TEAM + COMMUNITY)
    if not paths:
        return Region.objects.none()
    return Region.objects.filter(_under(paths), level=Level.GRID)


def grid_filter(user, field: str = "grid") -> Q:
    """A filter on ``field`` (a grid foreign key) for what ``user`` sees."""
    if is_admin(user):
        return Q()
    paths = paths_of(user, TEAM + COMMUNITY)
    if not paths:
        return Q(pk__in=[])
    query = Q()
    for path in paths:
        query |= Q(**{f"{field}__path__startswith": path})
    return query
