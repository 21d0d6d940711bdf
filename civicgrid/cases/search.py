"""One case filter for every door: the case list page and ``GET /api/cases`` read their
parameters into a ``CaseFilter``, so the same filters select the same cases.

Open and closed are status groups; a light is the rule of ``models.light_q``; a category
includes the categories below it; a region its whole subtree, and an unplaced case counts
where its centre (``owner_region``) is; the text is looked for in the number and the title.
"""

import re
from dataclasses import dataclass, fields
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from civicgrid.regions.models import Region

from . import words
from .models import CLOSED_STATUSES, StatusGroup, light_q
from .queries import category_and_descendants

NEWEST_FIRST = ("-created_at", "-id")
# A text search counts its hits only this far ("1,000+ cases"): the hits of a common word
# are many, and counting them reads each one (the case list, the case admin).
TEXT_COUNT_BOUND = 1_000


@dataclass(frozen=True)
class CaseFilter:
    """The filters of a case list, all optional; empty values filter nothing."""

    group: str = ""
    status: str = ""
    light: str = ""
    category: int | None = None
    channel: str = ""
    region: str = ""
    main_department: str = ""
    created_after: datetime | None = None
    created_before: datetime | None = None
    text: str = ""

    @classmethod
    def of(cls, values: dict) -> "CaseFilter":
        """A filter from parsed parameters; unknown names and empty values are left out."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names and v not in ("", None)})

    def region_known(self) -> bool:
        return not self.region or Region.objects.filter(code=self.region).exists()

    def apply(self, cases: QuerySet, now: datetime | None = None) -> QuerySet:
        """``cases`` narrowed to the ones these filters select."""
        if self.group == StatusGroup.OPEN:
            cases = cases.exclude(status__in=CLOSED_STATUSES)
        elif self.group == StatusGroup.CLOSED:
            cases = cases.filter(status__in=CLOSED_STATUSES)
        if self.status:
            cases = cases.filter(status=self.status)
        if self.light:
            cases = cases.filter(light_q(self.light, now or timezone.now()))
        if self.category:
            cases = cases.filter(category_id__in=category_and_descendants(self.category))
        if self.channel:
            cases = cases.filter(channel=self.channel)
        if self.region:
            path = Region.objects.filter(code=self.region).values_list("path", flat=True).first()
            if path is None:
                return cases.none()
            cases = cases.filter(
                Q(region_path__startswith=path) | Q(region_path="", owner_path__startswith=path)
            )
        if self.main_department:
            cases = cases.filter(main_department__code=self.main_department)
        if self.created_after:
            cases = cases.filter(created_at__gte=self.created_after)
        if self.created_before:
            cases = cases.filter(created_at__lt=self.created_before)
        text = self.text.strip()
        if text:
            cases = cases.filter(text_query(text))
        return cases


CASE_NUMBER = re.compile(r"[A-Za-z0-9-]+")


def text_query(text: str) -> Q:
    """Cases whose number or title holds ``text``: a number (letters, digits, dashes) is
    looked for in the numbers and the titles, anything else in the titles only, through
    the word index on PostgreSQL (``words.matches``), so Chinese text reads one index
    once, not the numbers' and the titles' trigram indexes."""
    if CASE_NUMBER.fullmatch(text):
        return Q(number__icontains=text) | Q(title__icontains=text)
    return words.matches(text)
