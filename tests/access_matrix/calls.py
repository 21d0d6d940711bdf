"""Knocking on a door as a caller, and reading the answer: what the matrix compares."""

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.messages import constants, get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from civicgrid.alerts.models import AlertDelivery
from civicgrid.cases.models import Attachment, Case, CaseEvent
from civicgrid.citizens.models import Tracking
from civicgrid.core.models import PersonalDataRead
from civicgrid.duplicates.models import Supporter
from civicgrid.emergency.models import Incident, LogEntry, Report, Task
from civicgrid.fieldwork.models import MustAttend, PointEntry, TaskReply, Visit
from civicgrid.gridwork.models import Summons
from civicgrid.knowledge.models import EntryChange, Proposal
from civicgrid.notifications.models import Notification
from civicgrid.supervision.models import Copy, Inspection, Order, Review, SiteVisit

from .doors import Door, Kind

TALLY = {"requests": 0, "rows": 0}
OUTCOMES: Counter = Counter()  # rows by expected outcome, for the summary
# Masked CSRF tokens differ on every page; nothing else on a page is 64 such characters.
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def signed_in(client: Client, world, user, *, session: bool = True) -> Client:
    """The browser as ``user``, in English, with the session made for them when the
    world was built (none for the API, which takes a token). One browser serves every
    request: each new test client would scan the static files again."""
    client.cookies.clear()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None and session:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[user.pk]
    return client


def send(client: Client, door: Door, world, user, params: dict, body):
    headers = {"Accept-Language": "en"}
    if door.kind is Kind.API and user is not None:
        headers["Authorization"] = f"Bearer {world.tokens[user.pk]}"
    path = door.path(params)
    TALLY["requests"] += 1
    if door.method == "GET":
        return client.get(path, headers=headers)
    if isinstance(body, str):  # already JSON
        return client.post(path, body, content_type="application/json", headers=headers)
    if door.kind is Kind.API and not any(hasattr(v, "read") for v in (body or {}).values()):
        return client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=headers
        )
    return client.post(path, body or {}, headers=headers)


# What any door could change; a refused or unseen request must leave it as it was.
WATCHED = {
    "cases": Case.objects.all(),
    "events": CaseEvent.objects.all(),
    "attachments": Attachment.objects.all(),
    "supporters": Supporter.objects.all(),
    "summonses": Summons.objects.all(),
    "reports-in": Summons.objects.filter(reported_at__isnull=False),
    "contact reveals": PersonalDataRead.objects.all(),
    "reviewed proposals": Proposal.objects.exclude(status="pending"),
    "proposals": Proposal.objects.all(),
    "entry changes": EntryChange.objects.all(),
    "notices read": Notification.objects.filter(read_at__isnull=False),
    "tracking links": Tracking.objects.all(),
    "alert deliveries": AlertDelivery.objects.all(),
    "supervision orders": Order.objects.all(),
    "orders answered": Order.objects.exclude(status="open"),
    "listed orders": Order.objects.filter(level="listed"),
    "site visits": SiteVisit.objects.all(),
    "reviews": Review.objects.all(),
    "inspection measures": Inspection.objects.all(),
    "signed off": Copy.objects.filter(signed_off_at__isnull=False),
    "incidents": Incident.objects.all(),
    "incident reports": Report.objects.all(),
    "incident log": LogEntry.objects.all(),
    "emergency tasks acknowledged": Task.objects.exclude(status="open"),
    "visits made": Visit.objects.filter(visited_on__isnull=False),
    "points entries": PointEntry.objects.all(),
    "arrivals": MustAttend.objects.filter(arrived_at__isnull=False),
    "task replies": TaskReply.objects.filter(done_at__isnull=False),
}


@cache
def _fingerprint_query() -> tuple[str, tuple]:
    """The fingerprint's SQL, compiled once: the watched sets are fixed, and compiling 28
    querysets cost more than running them, twice for each of the matrix's thousands of rows."""
    parts, params = [], []
    for number, rows in enumerate(WATCHED.values()):
        sql, more = rows.values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS watched{number})")
        params.extend(more)
    parts.append(f"(SELECT SUM(version) FROM {Case._meta.db_table})")
    return "SELECT " + ", ".join(parts), tuple(params)


def fingerprint() -> dict:
    """How many rows each watched set has, and the sum of case versions: one query."""
    sql, params = _fingerprint_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return dict(zip([*WATCHED, "case versions"], row, strict=True))


def normalized(response, keys: list[str]) -> tuple:
    """The answer with the addressed keys (number, id, token) and CSRF tokens blanked, to
    compare an object out of scope with one that does not exist."""
    text = b"" if response.streaming else response.content
    text = text.decode(errors="replace") + "\nLocation: " + response.get("Location", "")
    text = CSRF_TOKEN.sub("<csrf>", text)
    for key in sorted(set(keys), key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(key)}(?![\w-])", "<key>", text)
    return response.status_code, response.get("Content-Type", ""), text


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        return body.get("message", "") if isinstance(body, dict) else json.dumps(body)
    return response.content.decode()


@dataclass(frozen=True)
class Outcome:
    """What the permission table says a caller gets."""

    kind: str  # login, unauthenticated, not_found, forbidden, back, unsigned, done
    words: tuple[str, ...] = ()  # what the refusal must say (in English)
    # Decided before the object was looked up: it must not differ from a missing one.
    blind: bool = False

    def __str__(self) -> str:
        return f"{self.kind} {' / '.join(self.words)}".strip()


def refused_as_expected(response, expected: Outcome) -> None:
    """Refusals: the status, and the reason in the caller's language."""
    if expected.kind == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif expected.kind == "unauthenticated" or expected.kind == "unsigned":
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
    elif expected.kind == "not_found":
        assert response.status_code == 404
    elif expected.kind == "forbidden":
        assert response.status_code == 403, response.content[:500]
        text = _text(response)
        for words in expected.words:
            assert words in text or escape(words) in text, (words, text[:2000])
    elif expected.kind == "back":
        assert response.status_code == 302, response.content[:500]
        errors = [str(m) for m in get_messages(response.wsgi_request) if m.level == constants.ERROR]
        assert errors
        for words in expected.words:
            assert words in errors, (words, errors)
    else:
        raise AssertionError(f"unknown outcome {expected}")
