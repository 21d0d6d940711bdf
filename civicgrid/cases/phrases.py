"""Reply templates (常用语): which are offered for a case, with their placeholders filled.

A template is offered for a case when it is in use, its category is the case's or one
above it (or it has none), and it is shared or owned by one of the reader's
departments. The most specific come first: the case's own category, then its parents,
then those for every category; a department's own before the shared ones.

At intake (an operator answering a call directly) there is no case yet: every template
the operator may use is listed, each with the categories it applies to, and the page
shows those of the category chosen; a template naming the case number or category is
left out there.

Placeholders are filled by plain replacement of the known names, nothing else is read
from the text: ``{case_number}``, ``{date}`` (today, 2026年12月7日), ``{category}``.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from civicgrid.routing import catalogue

from .models import Case, ReplyTemplate


@dataclass(frozen=True)
class Phrase:
    """One template as offered for one case: its text filled in."""

    id: int
    title: str
    text: str
    category: str | None
    department: str | None
    # At intake, before the category is known: the category ids it applies to (its own
    # and those below it), for the page's script to filter by; empty: every category.
    applies_to: str = ""


def available(user) -> list[ReplyTemplate]:
    """Every template in use that ``user`` may see, whatever the case (one query)."""
    mine = Q(department__isnull=True) | Q(department_id__in=user.department_ids)
    query = ReplyTemplate.objects.filter(mine, active=True)
    return list(query.select_related("category", "department"))


def fill(text: str, case: Case, today=None) -> str:
    today = today or timezone.localdate()
    values = {
        "{case_number}": case.number,
        "{date}": f"{today.year}年{today.month}月{today.day}日",
        "{category}": case.category.name if case.category is not None else "",
    }
    for name, value in values.items():
        text = text.replace(name, value)
    return text


def for_case(case: Case, user, templates: list[ReplyTemplate] | None = None) -> list[Phrase]:
    """The templates offered to ``user`` for ``case``, most specific first."""
    if templates is None:
        templates = available(user)
    lineage = []
    if case.category is not None:
        cached = catalogue.category(case.category.code, active_only=False)
        lineage = [c.pk for c in (cached or case.category).lineage()]
    depth: dict[int | None, int] = {pk: i for i, pk in enumerate(lineage)}
    offered = [t for t in templates if t.category_id is None or t.category_id in depth]
    offered.sort(
        key=lambda t: (
            depth.get(t.category_id, len(lineage)),
            t.department_id is None,
            t.position,
            t.title,
        )
    )
    today = timezone.localdate()
    return [
        Phrase(
            t.pk,
            t.title,
            fill(t.text, case, today),
            t.category.code if t.category is not None else None,
            t.department.code if t.department is not None else None,
        )
        for t in offered
    ]


CASE_PLACEHOLDERS = ("{case_number}", "{category}")


def for_intake(user, templates: list[ReplyTemplate] | None = None) -> list[Phrase]:
    """The templates offered at intake, where the category is chosen on the page."""
    if templates is None:
        templates = available(user)
    below: dict[int, list[int]] = {}
    for node in catalogue.categories().values():
        for ancestor in node.lineage():
            below.setdefault(ancestor.pk, []).append(node.pk)
    today = timezone.localdate()
    usable = [t for t in templates if not any(name in t.text for name in CASE_PLACEHOLDERS)]
    usable.sort(key=lambda t: (t.department_id is None, t.position, t.title))
    return [
        Phrase(
            t.pk,
            t.title,
            fill(t.text, Case(), today),
            t.category.code if t.category is not None else None,
            t.department.code if t.department is not None else None,
            " ".join(map(str, sorted(below.get(t.category_id, [t.category_id]))))
            if t.category_id is not None
            else "",
        )
        for t in usable
    ]
