"""The leaves of the category tree: what a case is filed under at dispatch.

A leaf is an active category without active subcategories ("040203 噪音污染", not
"04 环境保护"). The triage model only knows the first level, so its guesses are
narrowed here to the leaves beneath them that the case's own words name: each leaf's
name is cut into characters and pairs of characters, weighted by how rare they are
among the leaves of that branch ("噪音" names one leaf, "污染" nine, and names none),
and a leaf scores the weights of those found in the text.

Everything comes from the category snapshot (``catalogue``), indexed once per version
of the tree: no query, and a queue page of 50 cases costs a few milliseconds.
"""

import math
import threading
from collections import Counter
from dataclasses import dataclass, field

from . import catalogue
from .models import Category

# Words every branch has: they name no leaf in particular.
_NOT_NAMING = {"其他", "管理", "问题"}
# Characters of places and plain grammar: alone they name nothing ("小区", "黄河路").
_PLAIN = set(
    "区市县镇乡村路街道号楼小大中不有无的了是在和与及对为上下内外人民公共产业务工作事性化放"
)
# A pair of characters in more than this share of a branch's leaves ("污染") names none
# of them; a single character names a leaf only when no other leaf of the branch has it
# ("噪" of "噪声扰民" for 噪音污染).
COMMON_SHARE = 0.2
PAIR_WEIGHT, CHARACTER_WEIGHT = 1.0, 0.6


def _terms(name: str) -> set[str]:
    pairs = {name[i : i + 2] for i in range(len(name) - 1)} - _NOT_NAMING
    singles = {ch for ch in name if ch not in "".join(_NOT_NAMING) and ch not in _PLAIN}
    return pairs | singles


@dataclass
class _Branch:
    """The leaves beneath one category and the weight of each term of their names."""

    leaves: list[Category]
    terms: dict[int, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self):
        names = {leaf.pk: _terms(leaf.name) for leaf in self.leaves}
        spread = Counter(term for found in names.values() for term in found)
        common = max(1.0, len(self.leaves) * COMMON_SHARE)
        for pk, found in names.items():
            self.terms[pk] = {
                term: math.log(1 + len(self.leaves) / spread[term])
                * (PAIR_WEIGHT if len(term) > 1 else CHARACTER_WEIGHT)
                for term in found
                if spread[term] <= (common if len(term) > 1 else 1)
            }


class Tree:
    """The leaves of one snapshot of the category tree, and what names them. Take one
    with ``tree()`` and ask it many times (a page of cases): each ``tree()`` may check
    the snapshot's version."""

    def __init__(self, categories: dict[str, Category]):
        active = sorted((c for c in categories.values() if c.active), key=lambda c: c.code)
        parents = {c.parent_id for c in active if c.parent_id is not None}
        self.leaves = [c for c in active if c.pk not in parents]
        self.leaf_ids = {c.pk for c in self.leaves}
        self.by_pk = {c.pk: c for c in active}
        self._below: dict[int, list[Category]] = {}
        for leaf in self.leaves:
            for node in leaf.lineage():
                self._below.setdefault(node.pk, []).append(leaf)
        self._branches: dict[int, _Branch] = {}

    def branch(self, category: Category) -> _Branch:
        if category.pk not in self._branches:
            self._branches[category.pk] = _Branch(self._below.get(category.pk, []))
        return self._branches[category.pk]

    def active(self, pk: int | None) -> Category | None:
        """The active category with this id (parents linked in memory)."""
        return self.by_pk.get(pk) if pk is not None else None

    def is_leaf(self, category: Category | None) -> bool:
        """Whether ``category`` is active and has no active subcategory."""
        if category is None or not category.active:
            return False
        return category.pk in self.leaf_ids or category.pk not in self._below

    def named_in(
        self, text: str, under: Category, limit: int = 3, *, title: str = ""
    ) -> list["Named"]:
        """The leaves beneath ``under`` whose names the words use, clearest first. Words
        of the ``title`` count twice, and only there does a single character count: a
        long description has most characters somewhere."""
        branch = self.branch(under)
        found = []
        for leaf in branch.leaves:
            score = 0.0
            for term, weight in branch.terms[leaf.pk].items():
                if term in title:
                    score += 2 * weight
                elif len(term) > 1 and term in text:
                    score += weight
            if score > 0:
                found.append(Named(leaf, round(score, 3)))
        found.sort(key=lambda n: (-n.score, n.category.code))
        return found[:limit]


@dataclass(frozen=True)
class Named:
    """A leaf the words name, with how clearly (a sum of the rare terms found)."""

    category: Category
    score: float


_lock = threading.Lock()
_cached: tuple[dict, Tree] | None = None


def tree() -> Tree:
    """The leaves of the current snapshot of the tree (indexed again when it changes)."""
    global _cached
    categories = catalogue.categories()
    cached = _cached
    if cached is not None and cached[0] is categories:
        return cached[1]
    with _lock:
        built = Tree(categories)
        _cached = (categories, built)
    return built


def is_leaf(category: Category | None) -> bool:
    """Whether ``category`` is active and has no active subcategory."""
    return tree().is_leaf(category)


def leaves() -> list[Category]:
    """Every leaf, in code order (parents linked in memory: ``lineage()`` is free)."""
    return list(tree().leaves)


def leaves_under(category: Category) -> list[Category]:
    """The leaves at or beneath ``category``, in code order."""
    return list(tree().branch(category).leaves)


def named_in(text: str, under: Category, limit: int = 3, *, title: str = "") -> list[Named]:
    """The leaves beneath ``under`` whose names the words use, clearest first."""
    return tree().named_in(text, under, limit, title=title)
