"""What Open311 shows of a case: what the one public rule allows, in the spec's fields.

``GET requests`` needs no key. Which cases are listed, their text, position, place and
events are decided by ``cases.publication`` (docs/publication.md); this module only
puts them into GeoReport's fields. Never shown: the reporter's name, phone or e-mail,
the actors of events, staff notes, attribute values, the case's own point or address.
"""

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from civicgrid.cases import publication
from civicgrid.cases.events import KINDS
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import (
    CLOSED_STATUSES,
    Case,
    CaseEvent,
    Channel,
    Status,
    StatusGroup,
    group_of,
)
from civicgrid.cases.queries import action_label
from civicgrid.routing.models import RequestType, Urgency

from . import catalogue
from .formats import moment

MAX_DESCRIPTION = 4000  # the spec's request.json schema


# What a row needs, and nothing else. The reporter's name is read only to be masked.
ROW_FIELDS = (
    "number", "channel", "request_type", "urgency", "title", "content", "extra",
    "reporter_name", "region_path", "status", "reply", "merged_into_id", "reopen_count",
    "created_at", "updated_at", "closed_at", "due_at", "warn_at", "handle_due_at",
    "category__code", "category__name", "main_department__name", *publication.GRID_FIELDS,
)  # fmt: skip


def public_cases() -> QuerySet:
    """Every case Open311 may list, with what a row shows joined in."""
    return (
        publication.published(Case.objects.all())
        .select_related("category", "main_department", "grid")
        .only(*ROW_FIELDS)
        .annotate(merged_into_number=F("merged_into__number"))
    )


def listed_case(number: str) -> Case | None:
    """The whole case behind a listed request, to change it (updates are posted to it)."""
    return publication.published(Case.objects.filter(number=number)).first()


def filter_status(query: QuerySet, groups: set[str]) -> QuerySet:
    if groups == {StatusGroup.OPEN}:
        return query.exclude(status__in=CLOSED_STATUSES)
    if groups == {StatusGroup.CLOSED}:
        return query.filter(status__in=CLOSED_STATUSES)
    return query


def status_notes(case: Case) -> str:
    """Why the case is where it is: the duplicate it joined, or the reply to the citizen."""
    if case.status == Status.MERGED and case.merged_into_id:
        return _("Duplicate of request %(number)s.") % {"number": case.merged_into_number}
    return publication.reply(case)  # empty until a reply stands


def _media_url(case: Case) -> str:
    # Given by the reporter's app, for publication, with the request (Open311 only).
    url = (case.extra or {}).get("media_url") if case.channel == Channel.OPEN311 else ""
    return url if isinstance(url, str) else ""


def as_request(case: Case, places: dict[int, str], extensions: "Extensions | None" = None) -> dict:
    """One service request as the spec lists it; with ``extensions``, what they add.

    ``places`` are the cases' street · community names (``publication.places``).
    """
    lat, lng = publication.position(case)
    row = {
        "service_request_id": case.number,
        "status": group_of(case.status),
        "status_notes": status_notes(case),
        "service_name": case.category.name if case.category else "",
        "service_code": case.category.code if case.category else "",
        "description": publication.description(case)[:MAX_DESCRIPTION],
        "agency_responsible": case.main_department.name if case.main_department else "",
        "service_notice": "",
        "requested_datetime": moment(case.created_at),
        "updated_datetime": moment(case.updated_at),
        "expected_datetime": moment(case.handle_due_at) or "",
        # The street and community, never the address given: it can name the room.
        "address": places.get(case.pk, ""),
        # A client's address id points at one address in its own register: not public.
        "address_id": "",
        "zipcode": "",
        "lat": lat,
        "long": lng,
        "media_url": _media_url(case),
    }
    if extensions is not None:
        row["extended_attributes"] = extensions.attributes(case)
        row["notes"] = extensions.notes(case)
    return row


def as_requests(cases: list[Case], extensions: bool = False) -> list[dict]:
    """A page of requests; with ``extensions``, what they add. Queries do not grow with it."""
    places = publication.places(cases)
    extra = Extensions(cases) if extensions else None
    return [as_request(case, places, extra) for case in cases]


class Extensions:
    """What ``extensions=true`` adds to a page of requests, read in two queries.

    Public events and co-handling departments are read for the whole page at once and
    grouped by case (Django's per-object prefetch querysets cost more than the rows);
    names are translated once per response into the caller's language.
    """

    def __init__(self, cases: list[Case]):
        ids = [case.pk for case in cases]
        self.paths = catalogue.paths()
        self.events = publication.timelines(cases)
        self.co: dict[int, list[str]] = {}
        through = Case.co_departments.through.objects.filter(case_id__in=ids)
        for case_id, name in through.values_list("case_id", "department__name").order_by("id"):
            self.co.setdefault(case_id, []).append(name)
        self.labels = {
            "channel": _names(Channel),
            "request_type": _names(RequestType),
            "urgency": _names(Urgency),
            "status": _names(Status),
            "action": {code: str(kind.label) for code, kind in KINDS.items()},
        }

    def _label(self, kind: str, value: str) -> str:
        return self.labels[kind].get(value, value)

    def attributes(self, case: Case) -> dict:
        """The case's place in our loop, in the caller's language."""
        return {
            "title": publication.title(case),
            "channel": case.channel,
            "channel_name": self._label("channel", case.channel),
            "request_type": case.request_type,
            "request_type_name": self._label("request_type", case.request_type),
            "category_path": self.paths.get(case.category_id, ""),
            "urgency": case.urgency,
            "urgency_name": self._label("urgency", case.urgency),
            "detailed_status": case.status,
            "detailed_status_name": self._label("status", case.status),
            "department": case.main_department.name if case.main_department else "",
            "co_departments": self.co.get(case.pk, []),
            "grid": case.grid.name if case.grid else "",
            "grid_code": case.grid.code if case.grid else "",
            "step_due_datetime": moment(case.due_at) if case.is_open else None,
            "light": case.light(),
            "closed_datetime": moment(case.closed_at),
            "reopen_count": case.reopen_count,
        }

    def notes(self, case: Case) -> list[dict]:
        """The case's public events, oldest first, dated; text only for its replies."""
        return [
            {
                "datetime": moment(event.at),
                "type": event.action,
                "summary": self._label("action", event.action),
                "description": event.text,
                "status": group_of(event.to_status) if event.to_status else "",
            }
            for event in self.events.get(case.pk, [])
        ]


def _names(choices) -> dict[str, str]:
    """Code → name in the active language (``get_FOO_display`` re-hashes on every call)."""
    return {value: str(label) for value, label in choices.choices}


# --- service request updates (FixMyStreet's extension) ------------------------------


def public_updates(start, end) -> QuerySet:
    """Public events of listed cases in [start, end], oldest first; creation is not an update."""
    events = CaseEvent.objects.filter(at__gte=start, at__lte=end).exclude(action=Action.REGISTER)
    return (
        publication.published_events(events)
        .select_related("case")
        .only(
            "id",
            "case_id",
            "at",
            "action",
            "to_status",
            "note",
            "data",
            "case__number",
            "case__reply",
            "case__reporter_name",
        )  # fmt: skip
        .order_by("at", "id")
    )


def as_updates(events: list[CaseEvent]) -> list[dict]:
    """Events as FixMyStreet-style ``request_update`` rows: text only for replies.

    A client's own update (its note and photo link) is not a reply to the public: it
    is listed by its name, like every other event.
    """
    number = {event.id: event.case.number for event in events}
    return [
        {
            "update_id": str(shown.id),
            "service_request_id": number[shown.id],
            "status": group_of(shown.to_status),
            "updated_datetime": moment(shown.at),
            "description": shown.text or action_label(shown.action),
            "media_url": "",
        }
        for shown in publication.updates(events)
    ]
