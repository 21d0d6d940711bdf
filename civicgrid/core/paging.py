"""Pages of long lists that count only as far as anyone reads.

Counting 100,000 cases to print "page 1 of 4,000" cost a full scan of the table on
every page (0.7 s for the public results on SQLite). ``BoundedPaginator`` counts at most
``bound`` rows and then says "more than"; the pages within the bound work as before.
"""

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Q, QuerySet
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
            return _ids(rows)[: self.bound + 1].count()
        return min(len(rows), self.bound + 1)

    @cached_property
    def count(self) -> int:
        return min(self.found, self.bound)

    @property
    def capped(self) -> bool:
        return self.found > self.bound


def _ids(rows: QuerySet) -> QuerySet:
    """``rows`` unordered (the database need not sort every row to count the first ones)
    and, where that counts the same rows, reading their ids only: the joins of
    ``select_related`` and the columns of annotations (a LEFT JOIN that PostgreSQL then
    runs for each row counted) are left out of the count."""
    rows = rows.order_by()
    query = rows.query
    if query.group_by is None and not query.combinator and not query.distinct_fields:
        rows = rows.values("pk")
    return rows


class KeysetPage:
    """One page of a list kept newest first by ``(at, id)``, reached from a row of the
    page beside it rather than by an offset: "older" lists the rows after the last one
    shown, "newer" the rows before the first (``keyset_page``). Page 10,000 reads as
    few rows as page 1; an offset read and threw away every row before it.

    ``paginator`` counts the whole list up to its bound, as ``BoundedPaginator`` does.
    """

    def __init__(self, rows: list, paginator: BoundedPaginator, *, newer: bool, older: bool):
        self.object_list = rows
        self.paginator = paginator
        self.has_newer = newer
        self.has_older = older

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def first(self):
        return self.object_list[0] if self.object_list else None

    @property
    def last(self):
        return self.object_list[-1] if self.object_list else None


def keyset_page(
    rows: QuerySet,
    size: int,
    *,
    older_than: tuple | None = None,
    newer_than: tuple | None = None,
    offset: int = 0,
    at: str = "created_at",
    bound: int | None = None,
) -> KeysetPage:
    """The ``size`` rows of ``rows`` (newest first by ``at`` then id) after the row
    whose ``(at, id)`` is ``older_than``, or before ``newer_than``, or from ``offset``
    (the first pages of a list only: an offset reads every row it skips).

    One query for the rows (one row more than shown says whether there are more), one
    for the count up to ``bound`` (none when the rows shown are all there are), and one
    ``EXISTS`` for the other direction when paging from a row.
    """
    newest_first = rows.order_by(f"-{at}", "-id")
    if newer_than is not None:
        fetched = list(past(rows, newer_than, older=False, at=at).order_by(at, "id")[: size + 1])
        more = len(fetched) > size
        shown = fetched[:size][::-1]
        newer = more
        # (Nothing newer left: the way back is the older rows.)
        older = not shown or past(rows, _key(shown[-1], at), older=True, at=at).exists()
    else:
        start = newest_first
        if older_than is not None:
            start = past(rows, older_than, older=True, at=at).order_by(f"-{at}", "-id")
        fetched = list(start[offset : offset + size + 1])
        shown = fetched[:size]
        older = len(fetched) > size
        if older_than is not None:
            newer = not shown or past(rows, _key(shown[0], at), older=False, at=at).exists()
        else:
            newer = offset > 0
    paginator = BoundedPaginator(newest_first, size, bound=bound)
    if older_than is None and newer_than is None and not offset and not older:
        paginator.found = len(shown)  # all there are: nothing to count, nothing to cap
        paginator.bound = max(paginator.bound, len(shown))
    return KeysetPage(shown, paginator, newer=newer, older=older)


def _key(row, at: str) -> tuple:
    return (getattr(row, at), row.pk)


def past(rows: QuerySet, key: tuple, *, older: bool, at: str = "created_at") -> QuerySet:
    """The rows listed after ``key`` newest first (``older``) or before it.

    The first filter says again what the OR implies: PostgreSQL reads it as the start of
    a range in the ``at`` index; from the OR alone it would read from the newest row on.
    """
    value, pk = key
    side = "lt" if older else "gt"
    return rows.filter(**{f"{at}__{side}e": value}).filter(
        Q(**{f"{at}__{side}": value}) | Q(**{at: value, f"id__{side}": pk})
    )


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
    found = _ids(queryset)[: bound + 1].count()
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
