"""Visibility grants on one case (``CaseAccess``): the door upper apps use to let a
department or a person see a case they were brought into."""

from collections.abc import Iterable

from django.utils import timezone

from civicgrid.routing.models import Department

from .models import Case, CaseAccess


def grant_access(
    case: Case,
    *,
    reason: str,
    actor,
    departments: Iterable[Department] = (),
    users: Iterable = (),
) -> list[CaseAccess]:
    """Let ``departments`` and ``users`` see ``case`` for ``reason``; call it inside the
    caller's transaction. A unit or person who already has this reason is not added
    twice."""
    departments, users = list(departments), list(users)
    have = CaseAccess.objects.filter(case=case, reason=reason)
    known_departments = set(have.values_list("department_id", flat=True))
    known_users = set(have.values_list("user_id", flat=True))
    now = timezone.now()
    rows = [
        CaseAccess(case=case, department=d, reason=reason, created_at=now, created_by=actor)
        for d in departments
        if d.pk not in known_departments
    ] + [
        CaseAccess(case=case, user=u, reason=reason, created_at=now, created_by=actor)
        for u in users
        if u.pk not in known_users
    ]
    return CaseAccess.objects.bulk_create(rows)
