"""What Open311 shows of a case: only what may be public.

``GET requests`` needs no key, so nothing here reveals a person. Never shown: the
reporter's name, phone or e-mail, the actors of events, internal events
(``CaseEvent.public`` false), category attribute values. Reports (举报) are not listed
at all: whistle-blowers are protected by law and the text of a report can name them.
The full text of a case is shown only when the citizen wrote it for publication (Open311,
the website or the photo report); a hotline case shows its title, which staff write.
Positions are shown as stored: cases have no private-place flag.
"""

from django.db.models import F, Max, QuerySet
from django.utils.translation import gettext as _

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

PUBLISHED_TEXT_CHANNELS = {Channel.OPEN311, Channel.WEB, Channel.CITIZEN}
REPLIED_STATUSES = {Status.REPLIED, Status.VERIFIED, Status.RATED, Status.CLOSED}
REPLY_ACTIONS = {Action.REPLY, Action.ANSWER_DIRECTLY, Action.REFER}
MAX_DESCRIPTION = 4000  # the spec's request.json schema


# What a row shows, and nothing else: the reporter's fields are never even read.
ROW_FIELDS = (
    "number", "channel", "request_type", "urgency", "title", "content", "extra",
    "address", "lat", "lng", "status", "reply", "merged_into_id", "reopen_count",
    "created_at", "updated_at", "closed_at", "due_at", "warn_at", "handle_due_at",
    "category__code", "category__name", "main_department__name",
    "grid__code", "grid__name", "open311__address_id",
)  # fmt: skip


def public_cases() -> QuerySet:
    """Every case Open311 may list, with what a row shows joined in."""
    return (
        Case.objects.exclude(request_type=RequestType.REPORT)
        .select_related("category", "main_department", "grid", "open311")
        .only(*ROW_FIELDS)
        .annotate(merged_into_number=F("merged_into__number"))
    )


def listed_case(number: str) -> Case | None:
    """The whole case behind a listed request, to change it (updates are posted to it)."""
    return Case.objects.exclude(request_type=RequestType.REPORT).filter(number=number).first()


def filter_status(query: QuerySet, groups: set[str]) -> QuerySet:
    if groups == {StatusGroup.OPEN}:
        return query.exclude(status__in=CLOSED_STATUSES)
    if groups == {StatusGroup.CLOSED}:
        return query.filter(status__in=CLOSED_STATUSES)
    return query


def _description(case: Case) -> str:
    text = case.content if case.channel in PUBLISHED_TEXT_CHANNELS else case.title
    return text[:MAX_DESCRIPTION]


def status_notes(case: Case) -> str:
    """Why the case is where it is: the duplicate it joined, or the reply to the citizen."""
    if case.status == Status.MERGED and case.merged_into_id:
        return _("Duplicate of request %(number)s.") % {"number": case.merged_into_number}
    if case.status in REPLIED_STATUSES and case.reply:
        return case.reply
    return ""


def _media_url(case: Case) -> str:
    url = (case.extra or {}).get("media_url")
    return url if isinstance(url, str) else ""


def _open311(case: Case):
    try:
        return case.open311
    except Case.open311.RelatedObjectDoesNotExist:
        return None


def as_request(case: Case, extensions: "Extensions | None" = None) -> dict:
    """One service request as the spec lists it; with ``extensions``, what they add."""
    sent = _open311(case)
    row = {
        "service_request_id": case.number,
        "status": group_of(case.status),
        "status_notes": status_notes(case),
        "service_name": case.category.name if case.category else "",
        "service_code": case.category.code if case.category else "",
        "description": _description(case),
        "agency_responsible": case.main_department.name if case.main_department else "",
        "service_notice": "",
        "requested_datetime": moment(case.created_at),
        "updated_datetime": moment(case.updated_at),
        "expected_datetime": moment(case.handle_due_at) or "",
        "address": case.address,
        "address_id": sent.address_id if sent else "",
        "zipcode": "",
        "lat": case.lat,
        "long": case.lng,
        "media_url": _media_url(case),
    }
    if extensions is not None:
        row["extended_attributes"] = extensions.attributes(case)
        row["notes"] = extensions.notes(case)
    return row


class Extensions:
    """What ``extensions=true`` adds to a page of requests, read in two queries.

    Public events and co-handling departments are read for the whole page at once and
    grouped by case (Django's per-object prefetch querysets cost more than the rows);
    names are translated once per response into the caller's language.
    """

    def __init__(self, cases: list[Case]):
        ids = [case.pk for case in cases]
        self.paths = catalogue.paths()
        self.events: dict[int, list[dict]] = {}
        rows = (
            CaseEvent.objects.filter(case_id__in=ids, public=True)
            .order_by("at", "id")
            .values("case_id", "id", "at", "action", "to_status", "note")
        )
        for event in rows:
            self.events.setdefault(event["case_id"], []).append(event)
        self.co: dict[int, list[str]] = {}
        through = Case.co_departments.through.objects.filter(case_id__in=ids)
        for case_id, name in through.values_list("case_id", "department__name").order_by("id"):
            self.co.setdefault(case_id, []).append(name)
        self.labels = {
            "channel": _names(Channel),
            "request_type": _names(RequestType),
            "urgency": _names(Urgency),
            "status": _names(Status),
            "action": _names(Action),
        }

    def _label(self, kind: str, value: str) -> str:
        return self.labels[kind].get(value, value)

    def attributes(self, case: Case) -> dict:
        """The case's place in our loop, in the caller's language."""
        return {
            "title": case.title,
            "channel": case.channel,
            "channel_name": self._label("channel", case.channel),
            "request_type": case.request_type,
            "request_type_name": self._label("request_type", case.request_type),
            "category_path": self.paths.get(case.category_id, ""),
            "urgency": case.urgency,
            "urgency_name": self._label("urgency", case.urgency),
            "detailed_status": case.status,
            "detailed_status_name": self._label("status", case.status),
            "department": case.main_department.name if case.main_department else None,
            "co_departments": self.co.get(case.pk, []),
            "grid": case.grid.name if case.grid else None,
            "grid_code": case.grid.code if case.grid else None,
            "step_due_datetime": moment(case.due_at) if case.is_open else None,
            "light": case.light(),
            "closed_datetime": moment(case.closed_at),
            "reopen_count": case.reopen_count,
        }

    def notes(self, case: Case) -> list[dict]:
        """The case's public events, oldest first, dated."""
        events = self.events.get(case.pk, [])
        replies = [e["id"] for e in events if e["action"] in REPLY_ACTIONS]
        last_reply = replies[-1] if replies else None
        return [
            {
                "datetime": moment(event["at"]),
                "type": event["action"],
                "summary": self._label("action", event["action"]),
                # A reply given in its own field is stored on the case, not the event.
                "description": event["note"] or (case.reply if event["id"] == last_reply else ""),
                "status": group_of(event["to_status"]) if event["to_status"] else None,
            }
            for event in events
        ]


def _names(choices) -> dict[str, str]:
    """Code → name in the active language (``get_FOO_display`` re-hashes on every call)."""
    return {value: str(label) for value, label in choices.choices}


# --- service request updates (FixMyStreet's extension) ------------------------------


def public_updates(start, end) -> QuerySet:
    """Public events of listed cases in [start, end], oldest first; creation is not an update."""
    return (
        CaseEvent.objects.filter(public=True, at__gte=start, at__lte=end)
        .exclude(action=Action.REGISTER)
        .exclude(case__request_type=RequestType.REPORT)
        .select_related("case")
        .only("id", "at", "action", "to_status", "note", "data", "case__number", "case__reply")
        .order_by("at", "id")
    )


def _last_replies(events: list[CaseEvent]) -> set[int]:
    """Of the reply events given, those that are their case's latest reply (one query)."""
    cases = {e.case_id for e in events if e.action in REPLY_ACTIONS and not e.note}
    if not cases:
        return set()
    latest = (
        CaseEvent.objects.filter(case_id__in=cases, action__in=REPLY_ACTIONS)
        .values("case_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    return set(latest)


def as_updates(events: list[CaseEvent]) -> list[dict]:
    """Events as FixMyStreet-style ``request_update`` rows."""
    last_replies = _last_replies(events)
    rows = []
    for event in events:
        text = event.note or (event.case.reply if event.id in last_replies else "")
        url = (event.data or {}).get("media_url")
        rows.append(
            {
                "update_id": str(event.id),
                "service_request_id": event.case.number,
                "status": group_of(event.to_status),
                "updated_datetime": moment(event.at),
                "description": text or action_label(event.action),
                "media_url": url if isinstance(url, str) else "",
            }
        )
    return rows
