"""The category tree and the time-limit policies, as per-process snapshots.

Intake needs both on every case; they change only when an admin edits them, so each
process keeps a copy that it rebuilds when the table's version changes
(``core.snapshot``). Categories come with their parents linked in memory, so
``category.lineage()`` costs no query. Treat the objects as read-only.
"""

from functools import cached_property

from django.db.models import Count, Max

from civicgrid.core.snapshot import Snapshot

from .models import Category, TimeLimitPolicy


def _version(model) -> tuple:
    row = model.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    return (row["n"], row["m"])


class Tree(dict[str, Category]):
    """Categories by code, with what intake asks of the tree worked out once per build:
    the nodes by id, which have an active child (so a leaf is known without scanning
    every category) and which are never public."""

    def __init__(self, nodes: dict[int, Category]):
        super().__init__((c.code, c) for c in nodes.values())
        self.by_id = nodes
        self.with_active_children = frozenset(
            c.parent_id for c in nodes.values() if c.active and c.parent_id
        )
        # Every public door filters on it (cases.publication): walked once per build,
        # not 655 lineages per request. The parents are linked before the tree is made.
        self.private = frozenset(c.pk for c in nodes.values() if c.is_private)

    @cached_property
    def active_in_code_order(self) -> list[Category]:
        return sorted((c for c in self.values() if c.active), key=lambda c: c.code)


def _build_categories() -> Tree:
    nodes = {c.pk: c for c in Category.objects.all()}
    for node in nodes.values():
        node.parent = nodes.get(node.parent_id)  # links the cache: no query on .parent
    return Tree(nodes)


def _build_policies() -> dict[tuple, TimeLimitPolicy]:
    return {(p.category_id, p.urgency, p.step): p for p in TimeLimitPolicy.objects.all()}


_categories: Snapshot[Tree] = Snapshot(lambda: _version(Category), _build_categories)
_policies: Snapshot[dict[tuple, TimeLimitPolicy]] = Snapshot(
    lambda: _version(TimeLimitPolicy), _build_policies
)


def categories_version() -> tuple:
    """The category table's version, read now (not the snapshot's, checked every few
    seconds): what an answer rendered once per version is kept under."""
    return _version(Category)


def category(code: str, *, active_only: bool = True) -> Category | None:
    """The category with ``code`` (None if unknown or, by default, inactive)."""
    found = _categories.get().get(code)
    if found is None or (active_only and not found.active):
        return None
    return found


def categories(*, active_only: bool = False) -> dict[str, Category]:
    """Categories by code, parents linked (read-only)."""
    found = _categories.get()
    return {k: c for k, c in found.items() if c.active} if active_only else found


def active_in_code_order() -> list[Category]:
    """The active categories ordered by code (parents linked, read-only): what the forms'
    category lists show, without reading the table on every page."""
    return _categories.get().active_in_code_order


def category_by_id(pk: int | None) -> Category | None:
    """The category with id ``pk`` from the snapshot (parents linked), active or not."""
    return None if pk is None else _categories.get().by_id.get(pk)


def has_active_children(category: Category) -> bool:
    """Whether an active category sits under ``category`` (then it is a group, not a leaf)."""
    return category.pk in _categories.get().with_active_children


def private_ids() -> frozenset[int]:
    """The ids of the categories marked never public, with all their subcategories."""
    return _categories.get().private


def with_active_children() -> frozenset[int]:
    """The ids of every category with an active child."""
    return _categories.get().with_active_children


def policy(category_id: int | None, urgency: str, step: str) -> TimeLimitPolicy | None:
    return _policies.get().get((category_id, urgency, step))


def forget() -> None:
    _categories.forget()
    _policies.forget()
