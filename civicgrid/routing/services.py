"""Which department should handle a case: the responsibility lists (权责清单) applied.

A suggestion is read-only; the dispatcher confirms or overrides it when dispatching.
"""

from collections.abc import Iterable

from django.db.models import Count, Max, Prefetch, Q, Sum

from civicgrid.core.snapshot import Snapshot

from . import catalogue
from .models import Category, Department, LevelRule, RoutingRule

Suggestion = tuple[Department | None, list[Department]]
NO_SUGGESTION: Suggestion = (None, [])


def suggest(category: Category | None, grid_or_region) -> Suggestion:
    """The main and co-handling departments the routing rules give for a place.

    Regions are tried most specific first — grid, community, street, district, city,
    then a rule without a region — and at each region the category before its
    ancestors. A local arrangement therefore beats a city-wide one even when it is
    written for a broader category: a dedicated grid (a hospital, an industrial park)
    that handles all of its "public facilities" matters wins over the city's rule for
    "broken street lights".
    """
    if category is None:
        return NO_SUGGESTION
    table = RuleTable.load([category.pk])
    return table.pick(category.pk, region_codes(grid_or_region))


def suggest_for_cases(
    cases: Iterable, route_by: dict[int, int | None] | None = None
) -> dict[int, Suggestion]:
    """``suggest`` for many cases at once, in a fixed number of queries (for queues).

    ``route_by`` maps a case id to the category to route it by instead of its own (the
    subcategory the dispatch form preselects, or the triage model's best guess).
    """
    cases = list(cases)
    route_by = route_by or {}
    chosen = {case.pk: route_by.get(case.pk) or case.category_id for case in cases}
    category_ids = {pk for pk in chosen.values() if pk}
    if not category_ids:
        return {case.pk: NO_SUGGESTION for case in cases}
    table = RuleTable.load(category_ids)
    return {
        case.pk: table.pick(chosen[case.pk], case_region_codes(case))
        if chosen[case.pk]
        else NO_SUGGESTION
        for case in cases
    }


def region_codes(region) -> list[str | None]:
    """Codes of a region and its ancestors, most specific first, then None (anywhere)."""
    path = region.path if region is not None else ""
    return [*reversed([code for code in path.split("/") if code]), None]


def case_region_codes(case) -> list[str | None]:
    """``region_codes`` of a case's place (its stored path; else its centre's region)."""
    path = case.region_path
    if not path and case.owner_region_id:
        path = case.owner_region.path
    return [*reversed([code for code in path.split("/") if code]), None]


class RuleTable:
    """All active routing rules, keyed by (category id, region code or None)."""

    def __init__(self, rules: Iterable[RoutingRule], parents: dict[int, int | None]):
        self.rules = {
            (rule.category_id, rule.region.code if rule.region_id else None): rule for rule in rules
        }
        self.parents = parents

    @classmethod
    def load(cls, category_ids: Iterable[int]) -> "RuleTable":
        """The rules that can apply to these categories, in two queries (the parents
        come from the per-process category snapshot)."""
        parents = {c.pk: c.parent_id for c in catalogue.categories().values()}
        table = cls([], parents)
        wanted = {pk for category_id in category_ids for pk in table.lineage(category_id)}
        rules = (
            RoutingRule.objects.filter(category_id__in=wanted, main_department__active=True)
            .select_related("region", "main_department")
            .defer("region__boundary")  # its code only: a district's outline is ~70 kB
            .prefetch_related(
                Prefetch(
                    "co_departments",
                    queryset=Department.objects.filter(active=True).order_by("code"),
                )
            )
        )
        return cls(rules, parents)

    def lineage(self, category_id: int) -> list[int]:
        chain: list[int] = []
        node: int | None = category_id
        while node is not None and node not in chain:
            chain.append(node)
            node = self.parents.get(node)
        return chain

    def pick(self, category_id: int, codes: list[str | None]) -> Suggestion:
        categories = self.lineage(category_id)
        for code in codes:
            for category in categories:
                rule = self.rules.get((category, code))
                if rule is not None:
                    return rule.main_department, list(rule.co_departments.all())
        return NO_SUGGESTION


def _level_rules_version() -> tuple:
    rules = LevelRule.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    units = Department.objects.aggregate(n=Count("id"), a=Sum("id", filter=Q(active=True)))
    return (*rules.values(), *units.values())


# Every starting-level rule with its unit, per process (``core.snapshot``): intake reads
# them for every case; an admin's change is seen within the snapshot's seconds.
_level_rules: Snapshot[dict[int | None, LevelRule]] = Snapshot(
    _level_rules_version,
    lambda: {rule.category_id: rule for rule in LevelRule.objects.select_related("unit")},
)


def level_rule_for(category) -> LevelRule | None:
    """The starting-level rule of ``category``: its own, its nearest ancestor's, else
    the rule for every category, else None (start at the lowest staffed centre)."""
    rules = _level_rules.get()
    if not rules:
        return None
    chain = category.lineage() if category is not None else []
    for key in [c.pk for c in chain] + [None]:
        if key in rules:
            return rules[key]
    return None
