"""Reply templates (常用语): which are offered for a case, with their placeholders filled.

A template is offered for a case when it is in use, its category is the case's or one
above it (or it has none), and it is shared or owned by one of the reader's
departments. The most specific come first: the case's own category, then its parents,
then those for every category; a department's own before the shared ones.

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
