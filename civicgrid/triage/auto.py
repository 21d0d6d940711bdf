"""Triage of new cases off the request path: classify, suggest, dispatch when confident.

Intake only stores the case. The triage worker (``civicgrid triage-worker``, any number
of them over one database) picks registered cases that have no :class:`CaseTriage` row
yet, asks the active model for the top 3 first-level categories, and records what it
made of each case. When the category's auto-dispatch threshold is set and met, the
routing rules give a department with jurisdiction over the place, and nobody has acted
on the case yet, it dispatches the case itself; the dispatch event says so.

A case is filed under a leaf, never a parent (the dispatch form's rule too): a leaf
chosen at intake is kept; a parent (chosen at intake, or the model's first-level guess)
is narrowed to the one leaf beneath it that the case's words name (``routing.leaves``);
when none or several fit, the dispatcher chooses (``Outcome.NEEDS_LEAF``).

The ``CaseTriage`` row is the claim: it is inserted before anything else happens, and
its unique case column lets exactly one worker through per case. The claim and the
dispatch are one transaction, so a worker killed half-way leaves the case untouched.
"""

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action, LifecycleError
from civicgrid.cases.models import Case, CaseEvent, Status
from civicgrid.regions.models import Region
from civicgrid.routing import catalogue, leaves
from civicgrid.routing.models import Category, Department
from civicgrid.routing.services import RuleTable, region_codes

from . import model as triage_model
from . import services
from .dataset import join_text
from .models import CaseTriage, Outcome

logger = logging.getLogger(__name__)

# Once a person has done any of these, the case is theirs: the model only suggests.
HUMAN_DECISIONS = (
    Action.DISPATCH,
    Action.RETURN,
    Action.ACCEPT_RETURN,
    Action.WITHDRAW,
    Action.REASSIGN,
    Action.ESCALATE,
    Action.REOPEN,
)
BATCH = 100


@dataclass
class Decision:
    suggestions: list[dict]
    top: Category | None
    chosen: Category | None
    confidence: float
    threshold: float | None
    department: Department | None
    co_departments: list[Department]
    outcome: str


def pending(limit: int = BATCH) -> list[Case]:
    """Registered cases the model has not looked at yet, oldest first."""
    return list(
        Case.objects.filter(status=Status.REGISTERED, triage__isnull=True)
        .select_related("category", "grid", "owner_region")
        .order_by("created_at", "id")[:limit]
    )


def run_once(limit: int = BATCH) -> Counter:
    """Triage one batch of pending cases; the outcomes counted."""
    cases = pending(limit)
    if not cases:
        return Counter()
    tops = classify(cases)
    decided = set(
        CaseEvent.objects.filter(case__in=cases, action__in=HUMAN_DECISIONS).values_list(
            "case_id", flat=True
        )
    )
    lookups = Lookups.load(cases)
    outcomes: Counter = Counter()
    for case, top in zip(cases, tops, strict=True):
        row = triage(case, top, taken=case.pk in decided, lookups=lookups)
        if row is not None:
            outcomes[row.outcome] += 1
    return outcomes


@dataclass
class Lookups:
    """What deciding a batch reads, read once per batch: first-level categories, the
    routing rules that can apply, and departments' jurisdictions (filled as needed)."""

    roots: dict[str, Category]
    rules: RuleTable
    jurisdictions: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, cases: Sequence[Case]) -> "Lookups":
        roots = _roots()
        ids = {c.pk for c in roots.values()} | {c.category_id for c in cases if c.category_id}
        # A parent may be narrowed to any leaf beneath it: their rules too.
        ids |= leaves.tree().leaf_ids
        return cls(roots, RuleTable.load(ids))

    def route(self, category: Category, case: Case):
        return self.rules.pick(category.pk, region_codes(case.grid or case.owner_region))

    def covers(self, department: Department, case: Case) -> bool:
        """Whether the department's jurisdiction covers the case's place."""
        path = case.region_path or (case.owner_region.path if case.owner_region_id else "")
        if department.pk not in self.jurisdictions:
            self.jurisdictions[department.pk] = list(
                Region.objects.filter(departments=department).values_list("path", flat=True)
            )
        return bool(path) and any(path.startswith(p) for p in self.jurisdictions[department.pk])


def classify(cases: Sequence[Case]) -> list[list[tuple[str, float]]]:
    """The model's top 3 ``(first-level category name, probability)`` per case."""
    rows = triage_model.rows(
        [c.title for c in cases], [join_text(c.title, c.content) for c in cases]
    )
    return triage_model.predict_top(services.active_pipeline(), rows, k=3)


def decide(
    case: Case,
    top: list[tuple[str, float]],
    *,
    taken: bool = False,
    lookups: Lookups | None = None,
) -> Decision:
    """What to do with ``case`` given the model's ranked labels (no writes)."""
    lookups = lookups or Lookups.load([case])
    roots = lookups.roots
    suggestions = _suggestions(top, roots)
    best = roots.get(top[0][0]) if top else None
    confidence = float(top[0][1]) if top else 0.0
    decision = Decision(suggestions, best, None, confidence, None, None, [], Outcome.SUGGESTED)
    if best is None:
        decision.outcome = Outcome.UNKNOWN_CATEGORY
        return decision
    own = catalogue.category(case.category.code) if case.category_id else None
    leaf = leaf_for(case, own or best)
    decision.chosen = leaf or own or best
    decision.threshold = decision.chosen.effective_threshold()
    main, co = lookups.route(decision.chosen, case)
    decision.department, decision.co_departments = main, co
    if taken:
        decision.outcome = Outcome.TAKEN
    elif own is not None and own.lineage()[-1].pk != best.pk:
        decision.outcome = Outcome.DISAGREES
    elif leaf is None:
        decision.outcome = Outcome.NEEDS_LEAF
    elif case.needs_placement:
        decision.outcome = Outcome.NEEDS_PLACEMENT
    elif main is None:
        decision.outcome = Outcome.NO_RULE
    elif not lookups.covers(main, case):
        decision.outcome = Outcome.OUT_OF_SCOPE
    elif decision.threshold is None:
        decision.outcome = Outcome.NO_THRESHOLD
    elif confidence >= decision.threshold:
        decision.outcome = Outcome.AUTO_DISPATCHED
    return decision


def leaf_for(case: Case, category: Category) -> Category | None:
    """The leaf to file ``case`` under: ``category`` itself when it is a leaf (chosen at
    intake, or a first-level category without subcategories), else the one leaf beneath
    it (the only one, or the one the case's words name); None when none or several do."""
    tree = leaves.tree()
    if tree.is_leaf(category):
        return category
    below = tree.branch(category).leaves
    if len(below) == 1:
        return below[0]
    named = tree.named_in(case.content or "", category, title=case.title or "")
    return named[0].category if len(named) == 1 else None


def triage(
    case: Case,
    top: list[tuple[str, float]],
    *,
    taken: bool = False,
    lookups: Lookups | None = None,
) -> CaseTriage | None:
    """Record the model's view of ``case`` and act on it; None when another worker has
    already claimed the case.

    The claim (the ``CaseTriage`` row) and the dispatch commit together: a worker killed
    between them leaves no row, so the case is still pending and the next pass triages
    it again. A stuck "dispatched automatically" row on a case nobody dispatched cannot
    exist.
    """
    decision = decide(case, top, taken=taken, lookups=lookups)
    version = services.active_version()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = CaseTriage.objects.create(
                    case=case,
                    model_version=version,
                    suggestions=decision.suggestions,
                    category=decision.top,
                    confidence=decision.confidence,
                    threshold=decision.threshold,
                    department=decision.department,
                    outcome=decision.outcome,
                )
        except IntegrityError:
            return None
        if decision.outcome == Outcome.AUTO_DISPATCHED:
            try:
                _dispatch(case, decision, version)
            except LifecycleError as refused:
                # A dispatcher was quicker, or the case changed meanwhile: theirs now.
                # (apply's own savepoint rolled back; the claim stands, with the reason.)
                logger.info("auto-dispatch of %s skipped: %s", case.number, refused.message)
                CaseTriage.objects.filter(pk=row.pk).update(outcome=Outcome.TAKEN)
                row.outcome = Outcome.TAKEN
    return row


def _dispatch(case: Case, decision: Decision, version: int) -> None:
    lifecycle.apply(
        case,
        Action.DISPATCH,
        actor=None,
        main_department=decision.department,
        co_departments=decision.co_departments,
        category=decision.chosen if decision.chosen.pk != case.category_id else None,
        triage={
            "auto": True,
            "model": version,
            "confidence": round(decision.confidence, 4),
            "threshold": decision.threshold,
        },
    )


def _roots() -> dict[str, Category]:
    """Active first-level categories by name: the labels the model speaks."""
    return {c.name: c for c in catalogue.categories().values() if c.parent_id is None and c.active}


def fresh_suggestions(cases: Sequence[Case]) -> dict[int, list[dict]]:
    """The model's top 3 for cases the worker has not seen (not stored), so a queue
    shows suggestions even when no worker runs."""
    if not cases:
        return {}
    roots = _roots()
    return {
        case.pk: _suggestions(top, roots) for case, top in zip(cases, classify(cases), strict=True)
    }


def _suggestions(top: list[tuple[str, float]], roots: dict[str, Category]) -> list[dict]:
    return [
        {"category": c.pk, "code": c.code, "name": c.name, "p": round(p, 4)}
        for label, p in top
        if (c := roots.get(label)) is not None
    ]
