"""Pages of long lists that count only as far as anyone reads.

Counting 100,000 cases to print "page 1 of 4,000" cost a full scan of the table on
every page (0.7 s for the public results on SQLite). ``BoundedPaginator`` counts at most
``bound`` rows and then says "more than"; the pages within the bound work as before.
"""

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_BOUND = 10_000


class BoundedPaginator(Paginator):
    """A ``Paginator`` whose ``count`` stops at ``bound``; ``capped`` says it did."""

    def __init__(
        self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, bound=None
    ):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.bound = bound or COUNT_BOUND

    @cached_property
    def found(self) -> int:
        """How many rows there are, up to ``bound + 1``: one query reading at most that."""
        rows = self.object_list
        if isinstance(rows, QuerySet):
            # Unordered: the database need not sort every row to count the first ones.
            return rows.order_by()[: self.bound + 1].count()
        return min(len(rows), self.bound + 1)

    @cached_property
    def count(self) -> int:
        return min(self.found, self.bound)

    @property
    def capped(self) -> bool:
        return self.found > self.bound


class Capped(int):
    """A count that stopped at a bound: the number, and ``capped`` when there are more.
    Shown as "1000+" by the ``count_label`` filter (``cases.templatetags.case_tags``)."""

    capped: bool

    def __new__(cls, value: int, capped: bool = False):
        number = super().__new__(cls, value)
        number.capped = capped
        return number


def count_up_to(queryset: QuerySet, bound: int) -> Capped:
    """How many rows ``queryset`` has, reading at most ``bound + 1`` of them."""
    found = queryset.order_by()[: bound + 1].count()
    return Capped(min(found, bound), found > bound)


def page_then_rows(paginator: BoundedPaginator, number, fetch) -> Page:
    """A page of a list whose rows are wide, in two reads: ``paginator`` pages a narrow
    ordered queryset of ids (what an index can answer in order, without joining a row's
    category, grid and centre to every candidate before the sort), then
    ``fetch(ids)`` reads the page's rows, put back in the page's order."""
    page = paginator.get_page(number)
    ids = list(page.object_list)
    found = {row.pk: row for row in fetch(ids)}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def counts_up_to(querysets: dict[str, QuerySet], bound: int) -> dict[str, Capped]:
    """``count_up_to`` of each queryset, in one statement: each count reads at most
    ``bound + 1`` rows (a scalar subquery over its first ids), so a strip of work counts
    costs the same over a hundred open cases or a million."""
    if not querysets:
        return {}
    parts: list[str] = []
    params: list = []
    for queryset in querysets.values():
        try:
            sql, more = queryset.order_by().values("pk")[: bound + 1].query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing (``pk IN ()``)
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(more)
    database = next(iter(querysets.values())).db
    with connections[database].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        found = cursor.fetchone()
    return {
        name: Capped(min(n, bound), n > bound) for name, n in zip(querysets, found, strict=True)
    }
