"""What the public pages show: plain words, public events, nearby cases, closed results.

What may be shown at all, and masked how, is ``cases.publication`` (docs/publication.md):
published cases only, masked text, the grid and the street · community instead of a
point or an address, the replies and no staff note. This module words it for citizens.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.cases import publication
from civicgrid.cases.models import Case, Rating, Status
from civicgrid.cases.queries import category_and_descendants
from civicgrid.duplicates.candidates import find_candidates
from civicgrid.duplicates.models import Supporter
from civicgrid.duplicates.text import likeness, message_text, shingles
from civicgrid.regions import lineage
from civicgrid.regions.models import Region
from civicgrid.routing import catalogue
from civicgrid.routing.models import Category

NEARBY_SHOWN = 5
NEARBY_SCANNED = 300

PLAIN_STATUS = {
    Status.REGISTERED: gettext_lazy(
        "We have received your report. The command centre is reading it and will send it "
        "to the department responsible."
    ),
    Status.DISPATCHED: gettext_lazy(
        "Your report has been sent to %(department)s, which will take it on shortly."
    ),
    Status.HANDLING: gettext_lazy("%(department)s is working on it."),
    Status.EXTENSION_REQUESTED: gettext_lazy(
        "%(department)s is working on it and has asked for more time."
    ),
    # The department says it is not theirs; the centre decides who handles it.
    Status.RETURN_REQUESTED: gettext_lazy(
        "The command centre is checking which department is responsible for it."
    ),
    Status.REPLIED: gettext_lazy(
        "%(department)s has replied. Someone will check on site that it is really done."
    ),
    Status.VERIFIED: gettext_lazy(
        "The work has been checked on site. Please tell us whether you are satisfied."
    ),
    Status.RATED: gettext_lazy("Thank you for your rating. The case will be closed shortly."),
    Status.CLOSED: gettext_lazy("The case is closed."),
    Status.MERGED: gettext_lazy(
        "The same problem was reported before: your report is handled together with case "
        "%(number)s."
    ),
}
# A callback round that ended without a rating (cases.callbacks), when the centre closes
# such cases by hand.
UNRATED_STATUS = gettext_lazy("We called you back. The case will be closed shortly.")
UNSATISFIED_STATUS = gettext_lazy(
    "You were not satisfied. The command centre is reviewing the case and will have it "
    "handled again."
)


def plain_status(case: Case) -> str:
    """Where the case is, in a sentence a citizen understands."""
    if case.status == Status.RATED and case.rating == Rating.UNSATISFIED:
        return str(UNSATISFIED_STATUS)
    if case.status == Status.RATED and not case.rating:
        return str(UNRATED_STATUS)
    department = case.main_department.name if case.main_department_id else _("the department")
    number = case.merged_into.number if case.merged_into_id else ""
    return str(PLAIN_STATUS[case.status]) % {"department": department, "number": number}


@dataclass
class TrackedCase:
    """One case as its tracking page shows it to this reader (``publication.view_of``)."""

    title: str
    text: str
    address: str
    reply: str
    events: list[dict]


def tracked(case: Case, *, own: bool) -> TrackedCase:
    """The case's texts and public timeline for its reporter (``own``) or a supporter."""
    view = publication.view_of(case, own=own)
    events = [
        {
            "at": event.at,
            "label": publication.public_label(event.action),
            "text": event.text,
            "detail": event.detail,
        }
        for event in view.events
    ]
    return TrackedCase(view.title, view.text, view.address, view.reply, events)


# --- "same problem?" ---------------------------------------------------------------


@dataclass
class Nearby:
    number: str
    title: str
    category: str
    created_at: datetime
    supporters: int
    place: str


def category_root(category: Category | None) -> Category | None:
    if category is None:
        return None
    found = catalogue.categories().get(category.code)
    return (found or category).lineage()[-1]


def nearby(grid: Region | None, category: Category | None, text: str = "") -> list[Nearby]:
    """Published open cases near ``grid`` of the same first-level category, most alike
    first.

    Only public facts: a masked title, the category, when, how many joined, the grid.
    """
    if grid is None:
        return []
    found = find_candidates("", "", grid, limit=NEARBY_SCANNED).items
    root = category_root(category)
    by_code = catalogue.categories()
    codes = {c.pk: c.code for c in by_code.values()}
    rows = []
    openings: dict[int, str] = {}
    for candidate in found:
        case = candidate.case
        known = by_code.get(codes.get(case.category_id, ""))
        if root is not None and (known is None or known.lineage()[-1].pk != root.pk):
            continue
        rows.append((case, known))
        openings[case.pk] = candidate.opening
    if text.strip():
        wanted = shingles(message_text("", text))
        rows.sort(
            key=lambda row: (
                -likeness(wanted, shingles(message_text(row[0].title, openings[row[0].pk])))
            )
        )
    rows = rows[: NEARBY_SHOWN * 2]
    shown = publication.published(Case.objects.filter(pk__in=[c.pk for c, _k in rows]))
    names = dict(shown.values_list("pk", "reporter_name"))
    rows = [(c, k) for c, k in rows if c.pk in names][:NEARBY_SHOWN]
    counts = dict(
        Supporter.objects.filter(case__in=[c.pk for c, _k in rows])
        .values_list("case")
        .annotate(n=Count("id"))
    )
    return [
        Nearby(
            number=case.number,
            title=publication.public_text(case.title, [names[case.pk]]),
            category=known.name if known else "",
            created_at=case.created_at,
            supporters=counts.get(case.pk, 0),
            place=case.grid.name if case.grid_id else "",
        )
        for case, known in rows
    ]


# --- public results ----------------------------------------------------------------

RESULT_FIELDS = (
    "number",
    "channel",
    "request_type",
    "status",
    "title",
    "category_id",
    "region_path",
    "reporter_name",
    "reply",
    "rating",
    "created_at",
    "closed_at",
)


def streets() -> list[Region]:
    """The streets to filter by, from the per-process copy of the region tree."""
    return lineage.streets()


def root_categories() -> list[Category]:
    found = catalogue.categories(active_only=True).values()
    return sorted((c for c in found if c.parent_id is None), key=lambda c: c.code)


def closed_cases(*, street: str = "", category: int | None = None) -> QuerySet:
    """Closed published cases for the public results page, newest first."""
    cases = publication.published(Case.objects.filter(status=Status.CLOSED))
    if street:
        cases = cases.filter(region_path__contains=f"/{street}/")
    if category:
        cases = cases.filter(category_id__in=category_and_descendants(category))
    return cases.only(*RESULT_FIELDS).order_by("-closed_at", "-id")


@dataclass
class Result:
    number: str
    title: str
    category: str
    place: str
    created_at: datetime
    closed_at: datetime | None
    reply: str
    rating: str
    rating_label: str


def category_label(category: Category | None) -> str:
    """``first-level › own`` (or just the first level): short enough for a phone."""
    if category is None:
        return ""
    chain = category.lineage()
    if len(chain) == 1:
        return chain[0].name
    return f"{chain[-1].name} › {chain[0].name}"


def results(cases) -> list[Result]:
    """Rows of one page of ``closed_cases``, as published; two queries whatever the size."""
    cases = list(cases)
    places = publication.places(cases)
    by_pk = {c.pk: c for c in catalogue.categories().values()}
    return [
        Result(
            number=case.number,
            title=publication.title(case),
            category=category_label(by_pk.get(case.category_id)),
            place=places[case.pk],
            created_at=case.created_at,
            closed_at=case.closed_at,
            reply=publication.reply(case),
            rating=case.rating,
            rating_label=str(Rating(case.rating).label) if case.rating else "",
        )
        for case in cases
    ]
