"""Existing users keep exactly what they may do when their one role becomes a grant (#9).

Users are made the old way — ``role``, ``regions``, ``department`` on the user, with the
schema as it was before ``accounts`` 0005 — then the migrations run forward and give each
one grant. For every role × scope × case, every action of ``PERMISSIONS``, the cases
seen and every page, the answer of today's code must be the answer of the rules as they
were, kept below as a frozen copy of the old code.
"""

import importlib
from dataclasses import dataclass

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Integration, Role, User
from civicgrid.accounts.pages import PAGES, home_page, may_open
from civicgrid.cases.lifecycle import PERMISSIONS
from civicgrid.cases.models import Case
from civicgrid.cases.scope import ScopeRule, refusal_for, visible_cases
from civicgrid.cases.tests import factories as f
from civicgrid.gridwork.models import Summons

BEFORE_GRANTS = [("accounts", "0004_role_grants")]

# --- the old rules, frozen (cases.scope and accounts.pages before role grants) -----------


@dataclass(frozen=True)
class OldUser:
    pk: int
    role: str
    paths: tuple[str, ...]
    department_id: int | None
    is_superuser: bool = False

    def get_role_display(self) -> str:
        return str(Role(self.role).label)


def _case_paths(case) -> list[str]:
    paths = [case.region_path] if case.region_path else []
    if case.owner_region_id:
        paths.append(case.owner_region.path)
    return paths


def old_refusal_for(user: OldUser, case, roles, rule) -> str | None:
    if rule == ScopeRule.SYSTEM:
        return _("Only the system takes this action.")
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
        if not case.region_path or not any(case.region_path.startswith(m) for m in user.paths):
            return _("This case is not in one of your grids.")
        return None
    if not any(p.startswith(m) for p in _case_paths(case) for m in user.paths):
        return _("This case is outside the regions you are responsible for.")
    return None


def old_visible(user: OldUser, queryset):
    if user.is_superuser or user.role == Role.ADMIN:
        return queryset
    if user.role == Role.INTEGRATION:
        return queryset.filter(created_by_id=user.pk)
    query = Q(created_by_id=user.pk)
    for path in user.paths:
        query |= Q(region_path__startswith=path) | Q(owner_region__path__startswith=path)
    if user.department_id:
        co = Case.co_departments.through.objects.filter(department_id=user.department_id)
        query |= Q(main_department_id=user.department_id) | Q(pk__in=co.values("case_id"))
        summons = Summons.objects.filter(department_id=user.department_id)
        query |= Q(pk__in=summons.values("case_id"))
    return queryset.filter(query)


# The roles there were when roles became grants (accounts 0004); a role added since
# (the discipline inspector, #13) has no "before" to compare with.
OLD_ROLES = (
    Role.OPERATOR,
    Role.DISPATCHER,
    Role.HANDLER,
    Role.GRID_WORKER,
    Role.LEADER,
    Role.MEDIATOR,
    Role.ADMIN,
    Role.INTEGRATION,
)
EVERYONE = tuple(r for r in OLD_ROLES if r != Role.INTEGRATION)
OLD_PAGE_ROLES = {
    "intake": (Role.OPERATOR, Role.DISPATCHER, Role.GRID_WORKER, Role.MEDIATOR),
    "triage": (Role.OPERATOR, Role.DISPATCHER, Role.LEADER),
    "inbox": (Role.HANDLER,),
    "grid": (Role.GRID_WORKER,),
    "tasks": (Role.GRID_WORKER, Role.DISPATCHER),
    "callbacks": (Role.OPERATOR, Role.DISPATCHER, Role.LEADER),
    "cases": EVERYONE,
    "hot_issues": (Role.OPERATOR, Role.DISPATCHER, Role.LEADER),
    "map": EVERYONE,
    "knowledge": EVERYONE,
    "knowledge_stats": (Role.LEADER,),
}
OLD_HOME = {
    Role.OPERATOR: "intake",
    Role.DISPATCHER: "triage",
    Role.HANDLER: "inbox",
    Role.GRID_WORKER: "grid",
    Role.LEADER: "map",
    Role.MEDIATOR: "cases",
    Role.ADMIN: "cases",
}


def old_may_open(user: OldUser, key: str) -> bool:
    if user.role == Role.INTEGRATION:
        return False
    return user.is_superuser or user.role == Role.ADMIN or user.role in OLD_PAGE_ROLES[key]


# --- the world -------------------------------------------------------------------------

# Scope variants: region keys (``other:`` the neighbouring district) and a department.
SCOPES = {
    "nothing": ((), None),
    "district": (("district",), None),
    "street1": (("street1",), None),
    "grids": (("grid11", "grid12"), None),
    "neighbour": (("other:district",), None),
    "bureau": ((), "bureau"),
    "district+bureau": (("district",), "bureau"),
    "other_bureau": ((), "other_bureau"),
}


def _region(key, district, other_district):
    return other_district[key[6:]] if key.startswith("other:") else district[key]


def _old_accounts(old_apps, district, other_district, departments) -> dict[str, OldUser]:
    """Users as they were made before grants, on the historical model."""
    old_user_model = old_apps.get_model("accounts", "User")
    made = {}
    for role in OLD_ROLES:
        for scope, (region_keys, department_key) in SCOPES.items():
            if role == Role.INTEGRATION and department_key:
                continue  # a system has no department
            regions = [_region(k, district, other_district) for k in region_keys]
            department = departments[department_key] if department_key else None
            user = old_user_model.objects.create(
                username=f"{role}-{scope}",
                role=role,
                integration=Integration.POLICE_110 if role == Role.INTEGRATION else "",
                department_id=department.pk if department else None,
            )
            user.regions.set([r.pk for r in regions])
            made[user.username] = OldUser(
                user.pk, role, tuple(r.path for r in regions), user.department_id
            )
    boss = old_user_model.objects.create(username="superuser", role=Role.OPERATOR)
    boss.is_superuser = True
    boss.save()
    made["superuser"] = OldUser(boss.pk, Role.OPERATOR, (), None, is_superuser=True)
    return made


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def _cases(district, other_district, bureau, other_bureau, author, boss) -> list[Case]:
    """Cases in every position the rules distinguish; one registered by ``author``."""

    def case(at, by=boss, **fields):
        made = f.make_case(actor=by, grid=at)
        if "owner_region" in fields:  # its copy, as every move of the product keeps it
            fields["owner_path"] = fields["owner_region"].path if fields["owner_region"] else ""
        Case.objects.filter(pk=made.pk).update(**fields)
        return made

    case(district["grid11"], by=author, main_department=bureau)
    street2 = case(district["grid21"], main_department=other_bureau)
    street2.co_departments.set([bureau])
    case(other_district["grid11"])
    case(district["grid12"], grid=None, region_path="")  # unplaced, the district's centre
    case(other_district["grid12"], grid=None, region_path="")  # unplaced, the neighbour's
    summoned = case(other_district["grid21"], main_department=other_bureau)
    Summons.objects.create(
        case=summoned,
        department=bureau,
        summoned_by=author,
        due_at=timezone.now(),
        reason="到场",
    )
    case(other_district["grid22"], owner_region=district["district"])  # owned by ours
    return list(Case.objects.select_related("owner_region").order_by("pk"))


@pytest.mark.django_db(transaction=True)
def test_every_user_keeps_what_they_may_do_when_their_role_becomes_a_grant(
    district, other_district, bureau, other_bureau
):
    departments = {"bureau": bureau, "other_bureau": other_bureau}
    executor = _migrate(BEFORE_GRANTS)
    try:
        old_apps = executor.loader.project_state(BEFORE_GRANTS).apps
        old = _old_accounts(old_apps, district, other_district, departments)
    finally:
        executor.loader.build_graph()
        _migrate(executor.loader.graph.leaf_nodes())
    author, boss = (
        User.objects.get(username="operator-district"),
        User.objects.get(username="superuser"),
    )
    cases = _cases(district, other_district, bureau, other_bureau, author, boss)
    # What the whistle's summonses were becomes CaseAccess (gridwork 0002).
    importlib.import_module(
        "civicgrid.gridwork.migrations.0002_summoned_departments_get_case_access"
    ).grant_summoned(current_apps, None)

    differences, answers = [], set()
    for username, then in old.items():
        user = User.objects.get(username=username)
        assert len(user.role_grants()) == 1 or then.is_superuser, username
        for case in cases:
            for action, (roles, rule) in PERMISSIONS.items():
                if rule == ScopeRule.HELD:
                    # The grid's own moves (docs/centres.md) came after grants: no before.
                    continue
                now, before = (
                    refusal_for(user, case, roles, rule),
                    old_refusal_for(then, case, roles, rule),
                )
                answers.add(before is None)
                if now != before:
                    differences.append((username, case.pk, action, now, before))
        all_cases = Case.objects.all()
        now_seen = set(visible_cases(user, all_cases).values_list("pk", flat=True))
        seen_before = set(old_visible(then, all_cases).values_list("pk", flat=True))
        if now_seen != seen_before:
            differences.append((username, "sees", sorted(now_seen), sorted(seen_before)))
        for key in OLD_PAGE_ROLES:
            if may_open(user, key) != old_may_open(then, key):
                differences.append((username, "page", key))
        if home_page(user) != PAGES[OLD_HOME.get(then.role, "cases")]:
            differences.append((username, "home"))
    assert differences == []
    # The walk covered what it claims: every role, allowed and refused moves.
    assert answers == {True, False}
    assert {u.role for u in old.values()} == set(OLD_ROLES)
    assert len(old) == 8 * len(SCOPES) - 3 + 1
