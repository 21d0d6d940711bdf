"""Read-only queries behind the hot-issue page and API, scoped like the case lists."""

from django.db.models import Q, QuerySet

from civicgrid.accounts.models import Role
from civicgrid.cases import queries as case_queries
from civicgrid.cases.scope import region_paths, visible_cases

from .models import HotIssue


def visible_hot_issues(user) -> QuerySet:
    """Hot issues in the regions of ``user`` (all for an administrator), hottest first."""
    issues = HotIssue.objects.select_related("category", "region").defer("region__boundary")
    if user.is_superuser or user.has_role(Role.ADMIN):
        return issues
    query = Q(pk__in=[])
    for path in region_paths(user):
        query |= Q(region_path__startswith=path)
    return issues.filter(query)


def hot_issue_cases(user, issue: HotIssue) -> QuerySet:
    """The cases of ``issue`` that ``user`` may see, newest first."""
    cases = visible_cases(user, issue.cases.all())
    return (
        case_queries.rows(cases)
        .defer("grid__boundary", "owner_region__boundary")
        .order_by("-created_at", "-id")
    )
