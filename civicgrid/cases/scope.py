"""Who may see and act on which case: the user's role grants, each a role with its own
scope (region subtrees, department), plus the visibility grants on a case
(``CaseAccess``)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.regions.models import Level, Region

from .models import Case, CaseAccess


class ScopeRule(models.TextChoices):
    REGION = "region", "region"
    MAIN_DEPARTMENT = "main_department", "main department"
    GRID = "grid", "grid"
    OWNER = "owner", "owning centre"
    HELD = "held", "held here"
    SYSTEM = "system", "system"


def grant_paths(grants) -> list[str]:
    """The region subtrees ``grants`` cover, each once."""
    return list(dict.fromkeys(path for grant in grants for path in grant.region_paths))


def region_paths(user) -> list[str]:
    """The region subtrees all of a user's grants cover, read once per user object."""
    if not hasattr(user, "_civicgrid_paths"):
        user._civicgrid_paths = grant_paths(user.role_grants())
    return user._civicgrid_paths


def _case_paths(case) -> list[str]:
    paths = [case.region_path] if case.region_path else []
    if case.owner_region_id:
        paths.append(case.owner_region.path)
    return paths


def _is_admin(user) -> bool:
    return user.is_superuser or user.has_role(Role.ADMIN)


def in_region_scope(user, case) -> bool:
    mine = region_paths(user)
    return any(p.startswith(m) for p in _case_paths(case) for m in mine)


def owns(path: str, case, *, city: bool) -> bool:
    """Whether the centre working in the region subtree ``path`` (a city's when ``city``)
    decides on ``case``, which lies in or is owned within that subtree. A city's centre
    decides on what is escalated to it, not on its districts' cases (the triage queue's
    rule, ``queries.owned_in``); a district's, street's or community's, on its cases
    unless the city has taken them (escalated, until it sends them back). Each level's
    *queue* holds only what its own centre holds (docs/centres.md)."""
    owner = case.owner_region if case.owner_region_id else None
    if city:
        return owner is not None and owner.path == path
    if not any(p.startswith(path) for p in _case_paths(case)):
        return False
    return owner is None or owner.level != Level.CITY or owner.path.startswith(path)


def _city_paths(grant) -> set[str]:
    """Which of a grant's regions are cities, read once per grant object."""
    if not hasattr(grant, "_civicgrid_cities"):
        cities = Region.objects.filter(path__in=grant.region_paths, level=Level.CITY)
        grant._civicgrid_cities = set(cities.values_list("path", flat=True))
    return grant._civicgrid_cities


def _owner_refusal(case) -> str:
    owner = case.owner_region if case.owner_region_id else None
    if owner is None:
        return _("This case is outside the regions you are responsible for.")
    names = {"number": case.number, "centre": owner.name}
    if owner.level == Level.CITY:
        return (
            _(
                "Case %(number)s is with the centre of %(centre)s; it decides on the case "
                "until it sends it back."
            )
            % names
        )
    return _("Case %(number)s belongs to the centre of %(centre)s, which decides on it.") % names


def _grant_refusal(grant, case, rule: str) -> str | None:
    """Why this one grant does not cover ``case`` under ``rule``, or None."""
    if rule == ScopeRule.MAIN_DEPARTMENT:
        if not grant.department_id or grant.department_id != case.main_department_id:
            return _("This case is not assigned to your department.")
        return None
    mine = grant.region_paths
    if rule == ScopeRule.HELD:
        # Only where the case is held now: a grid worker acts on what was passed down
        # to their grid, not on what a centre above holds there (docs/centres.md).
        owner = case.owner_region if case.owner_region_id else None
        if owner is None or not any(owner.path.startswith(m) for m in mine):
            return _("Case %(number)s has not been passed down to you.") % {"number": case.number}
        return None
    if rule == ScopeRule.OWNER:
        if not any(p.startswith(m) for p in _case_paths(case) for m in mine):
            return _("This case is outside the regions you are responsible for.")
        cities = _city_paths(grant)
        if any(owns(path, case, city=path in cities) for path in mine):
            return None
        return _owner_refusal(case)
    if rule == ScopeRule.GRID and grant.role == Role.GRID_WORKER:
        if not case.region_path or not any(case.region_path.startswith(m) for m in mine):
            return _("This case is not in one of your grids.")
        return None
    if not any(p.startswith(m) for p in _case_paths(case) for m in mine):
        return _("This case is outside the regions you are responsible for.")
    return None


def refusal_for(user, case, roles, rule: str) -> str | None:
    """Why ``user`` may not act on ``case`` (translated), or None when allowed.

    Allowed when one of the user's grants has one of ``roles`` and its scope covers the
    case under ``rule``; else the reason the first such grant gives.
    """
    if rule == ScopeRule.SYSTEM:
        return None if user is None else _("Only the system takes this action.")
    if user is None or not user.is_authenticated or not user.is_active:
        return _("Sign in first.")
    if _is_admin(user):
        return None
    grants = user.grants_for(*roles)
    if not grants:
        return _("Your role (%(role)s) cannot take this action.") % {"role": user.roles_display}
    refusals = [_grant_refusal(grant, case, rule) for grant in grants]
    if None in refusals:
        return None
    return refusals[0]


def paths_query(paths, *, via: str = "") -> Q:
    """Cases placed in, or owned by a centre in, one of the region subtrees ``paths``;
    with ``via="case__"``, the rows whose case is.

    Both paths are the case's own indexed columns (``owner_path`` copies the centre's):
    PostgreSQL reads each ``LIKE 'p%'`` from its index and ORs the two bitmaps, where a
    join to the centre could only be read case by case."""
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{via}region_path__startswith": path}) | Q(
            **{f"{via}owner_path__startswith": path}
        )
    return query


def sidecars_in(grants) -> Q:
    """The rows of a case's sidecar (a dispute, an incident, a petition: its ``case``)
    whose case lies in, or is owned by a centre in, the regions of ``grants``."""
    return paths_query(grant_paths(grants), via="case__")


# Up to this many ids a subquery's cases are listed in the filter itself, where an OR
# of index reads can use them (a subquery inside an OR is checked case by case).
INLINE_IDS = 1000


def _ids_or_subquery(values) -> Q:
    """``pk IN (…)`` from ``values`` (a ``values_list`` of case ids): the ids themselves
    when there are few, else the subquery."""
    ids = list(values[: INLINE_IDS + 1])
    if len(ids) > INLINE_IDS:
        return Q(pk__in=values)
    return Q(pk__in=ids)


def in_regions(user) -> Q:
    """Cases placed in, or owned by a centre in, one of the user's region subtrees."""
    return paths_query(region_paths(user))


def visible_cases(user, queryset):
    """Cases ``user`` may see: the union over their grants (region subtrees, the cases
    of their departments), the cases a ``CaseAccess`` opens to one of their departments
    or to them, and their own reports.

    An integration account (another system) sees only the cases it registered: its
    regions bound where it may register, not what it may read.
    """
    if _is_admin(user):
        return queryset
    if user.is_integration or user.has_role(Role.INTEGRATION):
        return queryset.filter(created_by=user)
    query = Q(created_by=user) | in_regions(user)
    departments = user.department_ids
    if departments:
        co = Case.co_departments.through.objects.filter(department_id__in=departments)
        query |= Q(main_department_id__in=departments)
        query |= _ids_or_subquery(co.values_list("case_id", flat=True).order_by())
    # Brought in by another app: summoned by the whistle (吹哨), mediation, an incident.
    accesses = CaseAccess.objects.filter(Q(user=user) | Q(department_id__in=departments))
    query |= _ids_or_subquery(accesses.values_list("case_id", flat=True).order_by())
    return queryset.filter(query)
