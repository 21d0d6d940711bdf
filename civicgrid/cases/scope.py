"""Who may see and act on which case: role plus data scope (region subtree, department)."""

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role


class ScopeRule(models.TextChoices):
    REGION = "region", "region"
    MAIN_DEPARTMENT = "main_department", "main department"
    GRID = "grid", "grid"
    SYSTEM = "system", "system"


def region_paths(user) -> list[str]:
    """The region subtrees a user covers, cached on the user object for one request."""
    if not hasattr(user, "_civicgrid_paths"):
        user._civicgrid_paths = list(user.regions.values_list("path", flat=True))
    return user._civicgrid_paths


def _case_paths(case) -> list[str]:
    paths = [case.region_path] if case.region_path else []
    if case.owner_region_id:
        paths.append(case.owner_region.path)
    return paths


def in_region_scope(user, case) -> bool:
    mine = region_paths(user)
    return any(p.startswith(m) for p in _case_paths(case) for m in mine)


def refusal_for(user, case, roles, rule: str) -> str | None:
    """Why ``user`` may not act on ``case`` (translated), or None when allowed."""
    if rule == ScopeRule.SYSTEM:
        return None if user is None else _("Only the system takes this action.")
    if user is None or not user.is_authenticated or not user.is_active:
        return _("Sign in first.")
    if user.is_superuser or user.role == Role.ADMIN:
        return None
    if user.role not in roles:
        return _("Your role (%(role)s) cannot take this action.") % {
            "role": user.get_role_display()
        }
    if rule == ScopeRule.MAIN_DEPARTMENT:
        if not user.department_id or user.department_id != case.main_department_id:
            return _("This case is not assigned to your department.")
        return None
    if rule == ScopeRule.GRID and user.role == Role.GRID_WORKER:
        if not case.region_path or not any(
            case.region_path.startswith(m) for m in region_paths(user)
        ):
            return _("This case is not in one of your grids.")
        return None
    if not in_region_scope(user, case):
        return _("This case is outside the regions you are responsible for.")
    return None


def in_regions(user) -> Q:
    """Cases placed in, or owned by a centre in, one of the user's region subtrees."""
    query = Q(pk__in=[])
    for path in region_paths(user):
        query |= Q(region_path__startswith=path) | Q(owner_region__path__startswith=path)
    return query


def visible_cases(user, queryset):
    """Cases ``user`` may see: own region subtrees, own department's cases, own reports.

    An integration account (another system) sees only the cases it registered: its
    regions bound where it may register, not what it may read.
    """
    if user.is_superuser or user.role in (Role.ADMIN,):
        return queryset
    if user.role == Role.INTEGRATION:
        return queryset.filter(created_by=user)
    query = Q(created_by=user) | in_regions(user)
    if user.department_id:
        from .models import Case

        co = Case.co_departments.through.objects.filter(department_id=user.department_id)
        query |= Q(main_department_id=user.department_id) | Q(pk__in=co.values("case_id"))
        # A department summoned to a case (吹哨) sees it, to know where to report in.
        summons = apps.get_model("gridwork", "Summons").objects
        query |= Q(pk__in=summons.filter(department_id=user.department_id).values("case_id"))
    return queryset.filter(query)
