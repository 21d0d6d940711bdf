"""Pages of long lists that count only as far as anyone reads.

Counting 100,000 cases to print "page 1 of 4,000" cost a full scan of the table on
every page (0.7 s for the public results on SQLite). ``BoundedPaginator`` counts at most
``bound`` rows and then says "more than"; the pages within the bound work as before.
"""

from django.core.paginator import Paginator
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
