"""The knowledge base for other systems: ranked search and single entries (read-only).

Any signed-in member of staff or API token may read it; nothing in it is personal.
"""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from civicgrid.core.api import ERRORS, Input, InvalidInput
from civicgrid.routing import catalogue

from . import search
from .models import Entry

router = Router(tags=["knowledge base"])


class EntryOut(Schema):
    id: int
    question: str
    answer: str
    category: str | None = Field(description="Category code.")
    category_name: str | None
    department: str | None = Field(description="Department code.")
    department_name: str | None
    valid_from: date
    valid_to: date | None = Field(description="Empty: valid until withdrawn.")
    valid_now: bool = Field(description="In use and valid today.")
    source: str
    phrasings: list[str] = Field(description="Other ways callers ask.")
    updated_at: datetime

    @staticmethod
    def resolve_category(entry: Entry) -> str | None:
        return entry.category.code if entry.category_id else None

    @staticmethod
    def resolve_category_name(entry: Entry) -> str | None:
        return entry.category.name if entry.category_id else None

    @staticmethod
    def resolve_department(entry: Entry) -> str | None:
        return entry.department.code if entry.department_id else None

    @staticmethod
    def resolve_department_name(entry: Entry) -> str | None:
        return entry.department.name if entry.department_id else None

    @staticmethod
    def resolve_valid_now(entry: Entry) -> bool:
        return entry.is_valid_now


class HitOut(Schema):
    score: float = Field(description="Relevance; higher is better, comparable within one search.")
    entry: EntryOut


class SearchIn(Input):
    q: str = Field(description="What the caller asks, in any length.", max_length=500)
    category: str | None = Field(
        None,
        max_length=20,
        description="A category code: entries filed under it, below it or above it.",
    )
    limit: int = Field(10, ge=1, le=search.MAX_LIMIT)


@router.get("/search", response={200: list[HitOut], **ERRORS}, summary="Search the knowledge base")
def search_entries(request: HttpRequest, filters: Query[SearchIn]):
    """Entries in force today that best answer ``q``, best first."""
    if not filters.q.strip():
        raise InvalidInput("q", _("Type what to search for."))
    category = None
    if filters.category:
        category = catalogue.category(filters.category.strip())
        if category is None:
            raise InvalidInput(
                "category",
                _("There is no active category with code %(code)s.") % {"code": filters.category},
            )
    hits = search.search(filters.q, limit=filters.limit, category=category)
    return [{"score": round(score, 4), "entry": entry} for entry, score in hits]


@router.get("/entries/{entry_id}", response={200: EntryOut, **ERRORS}, summary="One entry")
def get_entry(request: HttpRequest, entry_id: int):
    """Any entry, also one no longer in force (``valid_now`` says)."""
    entry = Entry.objects.select_related("category", "department").filter(pk=entry_id).first()
    if entry is None:
        from civicgrid.cases.api import not_found

        raise not_found(_("There is no knowledge-base entry %(id)s.") % {"id": entry_id})
    return entry
