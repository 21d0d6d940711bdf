"""Per-process copies of who a key belongs to, checked against the accounts' version.

Every API or client-system request starts by finding the account behind its key; with
its grants that cost two queries, a fifth of the CPU of an intake. ``KeyCache`` keeps
what a key resolved to (the account, its grants read once) in the process, and drops
it all when ``accounts_version`` changes — a token revoked or added, an account
deactivated or given other grants — checked at most every ``Snapshot.every`` seconds
(``core.snapshot``). A revoked key or a deactivated account is therefore refused by
every process within those seconds; a change made in this process is seen at once
(``forget``). Unknown keys are never kept, so guessing keys fills no memory.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from civicgrid.core.snapshot import Snapshot

from .models import ApiToken, Role, RoleGrant, User


def _sql() -> str:
    """One statement summing up the rows a key's owner depends on (cheap at any size:
    aggregates over small tables). Ids are summed so that one account deactivated and
    another activated in the same seconds still change it."""
    user = User._meta.db_table
    grant = RoleGrant._meta.db_table
    regions = RoleGrant.regions.through._meta.db_table
    token = ApiToken._meta.db_table
    per_role = ", ".join(
        f"(SELECT SUM(id) FROM {grant} WHERE role = '{role}')"  # noqa: S608 — fixed choices
        for role in Role.values
    )
    return (
        "SELECT "  # noqa: S608 — table names from the models
        f"(SELECT COUNT(*) FROM {user}), (SELECT MAX(id) FROM {user}), "
        f"(SELECT SUM(id) FROM {user} WHERE is_active), "
        f"(SELECT SUM(id) FROM {user} WHERE is_superuser), "
        f"(SELECT SUM(id) FROM {user} WHERE integration <> ''), "
        f"(SELECT COUNT(*) FROM {grant}), (SELECT MAX(id) FROM {grant}), "
        f"(SELECT SUM(department_id) FROM {grant}), {per_role}, "
        f"(SELECT COUNT(*) FROM {regions}), (SELECT MAX(id) FROM {regions}), "
        f"(SELECT SUM(region_id) FROM {regions}), "
        f"(SELECT COUNT(*) FROM {token}), (SELECT MAX(id) FROM {token}), "
        f"(SELECT SUM(id) FROM {token} WHERE revoked)"
    )


def accounts_version() -> tuple:
    """What changes whenever an account, its grants or its tokens change."""
    with connection.cursor() as cursor:
        cursor.execute(_sql())
        return tuple(cursor.fetchone())


@dataclass
class Known:
    """What a key resolved to: its row's id, the account and when it was last used."""

    pk: int
    user: User
    last_used_at: datetime | None
    row: Any = None


class KeyCache:
    """Keys resolved in this process (by their hash), forgotten when ``version`` changes."""

    def __init__(self, version: Callable[[], tuple] = accounts_version):
        self._snapshot: Snapshot[dict[str, Known]] = Snapshot(version, dict)

    def get(self, key_hash: str, load: Callable[[], Known | None]) -> Known | None:
        """The entry of ``key_hash``, loading it with ``load`` (None: no such key)."""
        known = self._snapshot.get()
        entry = known.get(key_hash)
        if entry is None:
            entry = load()
            if entry is None:
                return None
            entry.user.role_grants()  # read the grants once, with the entry
            known[key_hash] = entry
        return entry

    def forget(self) -> None:
        self._snapshot.forget()


def own_copy(user: User) -> User:
    """A copy of a cached account for one request: attributes a request sets stay its
    own, while the grants read once are shared (treat them as read-only)."""
    return copy.copy(user)


# --- every account's grants, per process --------------------------------------------------

# At most this many accounts' grants are kept (a district's staff; past it, read each time).
MAX_GRANTS = 20_000
GrantRow = tuple[int, str, int | None, tuple[str, ...]]


def _grants_version() -> tuple:
    """The accounts' version and the regions' (count, latest change): a region moved
    in the tree changes the paths a grant covers."""
    regions = RoleGrant.regions.field.related_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(updated_at) FROM {regions}")  # noqa: S608
        return (*accounts_version(), *cursor.fetchone())


_grants: Snapshot[dict[int, list[GrantRow]]] = Snapshot(_grants_version, dict)


def grant_rows(user_id: int, load: Callable[[], list[GrantRow]]) -> list[GrantRow]:
    """The grants of ``user_id`` as (id, role, department, region paths) rows, read with
    ``load`` once per process and kept until ``accounts_version`` changes (a grant given,
    changed or taken back, in any process: seen within ``Snapshot.every`` seconds; in this
    one at once). Every page reads its user's grants; this spares the query."""
    known = _grants.get()
    rows = known.get(user_id)
    if rows is None:
        rows = load()
        if len(known) < MAX_GRANTS:
            known[user_id] = rows
    return rows
