"""Reading the knowledge base: how often entries were used, and the statistics page.

Use is counted from the cases' event log: every ``answer_directly`` event names the entry
it used in ``data["knowledge_entry"]`` (``cases.action_rules``). Uses of a period are
read from those events (by the ``(action, at)`` index); uses in all from the entry's own
counter (``Entry.use_count``), which the event consumer ``events.count_use`` adds to as
each answer is recorded and migration ``0002`` filled from the log.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from civicgrid.cases.models import CaseEvent

from .models import ChangeKind, Entry, EntryChange, Proposal, ProposalStatus

ANSWER_DIRECTLY = "answer_directly"
KEY = "data__knowledge_entry"


def _uses(since=None):
    """Direct answers that named an entry.

    A direct answer without an entry stores ``"knowledge_entry": null``. For a JSON key,
    ``isnull=True`` means "the key is missing" and a JSON null is matched only by
    ``=None`` (Django's key-transform rules, the same on SQLite and PostgreSQL), so both
    are excluded.
    """
    events = (
        CaseEvent.objects.filter(action=ANSWER_DIRECTLY)
        .exclude(**{f"{KEY}__isnull": True})
        .exclude(**{KEY: None})
    )
    return events.filter(at__gte=since) if since else events


def usage_counts(entry_ids, since=None) -> dict[int, int]:
    """How many calls were answered with each of ``entry_ids`` (one query): in all from
    the entries' counters, since ``since`` from the answers of that period."""
    ids = [int(i) for i in entry_ids]
    if not ids:
        return {}
    if since is None:
        return dict(
            Entry.objects.filter(pk__in=ids, use_count__gt=0).values_list("pk", "use_count")
        )
    rows = _uses(since).filter(**{f"{KEY}__in": ids}).values_list(KEY, flat=True)
    return dict(Counter(int(value) for value in rows))


def usage_of(entry: Entry) -> dict:
    """Uses of one entry: in all and the last one (its counters), in the last 30 days
    (the answers of those days)."""
    month_ago = timezone.now() - timedelta(days=30)
    return {
        "total": entry.use_count,
        "last_30_days": _uses(month_ago).filter(**{KEY: entry.pk}).count(),
        "last": entry.last_used_at,
    }


def most_used(limit: int = 10, since=None) -> list[tuple[Entry, int]]:
    """The entries used most (since ``since``), with their counts, most first."""
    if since is None:
        top_entries = Entry.objects.filter(use_count__gt=0).select_related("category", "department")
        return [(e, e.use_count) for e in top_entries.order_by("-use_count", "pk")[:limit]]
    counts = Counter(int(v) for v in _uses(since).values_list(KEY, flat=True))
    top = counts.most_common(limit)
    entries = Entry.objects.select_related("category", "department").in_bulk([i for i, _n in top])
    return [(entries[i], n) for i, n in top if i in entries]


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _months_back(months: int) -> date:
    first = timezone.localdate().replace(day=1)
    for _step in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def updates_by_month(months: int = 12) -> list[dict]:
    """Knowledge-base updates per month, newest first: new, changed and withdrawn entries,
    approved and rejected proposals."""
    since = _start_of(_months_back(months))
    table: dict = {}

    def row(month):
        key = timezone.localtime(month).date().replace(day=1) if hasattr(month, "hour") else month
        counts = dict.fromkeys(("created", "changed", "withdrawn", "approved", "rejected"), 0)
        return table.setdefault(key, {"month": key, **counts})

    changes = (
        EntryChange.objects.filter(at__gte=since)
        .annotate(month=TruncMonth("at"))
        .values("month", "kind")
        .annotate(n=Count("id"))
    )
    for item in changes:
        row(item["month"])[item["kind"]] += item["n"]
    reviewed = (
        Proposal.objects.filter(reviewed_at__gte=since)
        .annotate(month=TruncMonth("reviewed_at"))
        .values("month", "status")
        .annotate(n=Count("id"))
    )
    for item in reviewed:
        if item["status"] in (ProposalStatus.APPROVED, ProposalStatus.REJECTED):
            row(item["month"])[item["status"]] += item["n"]
    return sorted(table.values(), key=lambda r: r["month"], reverse=True)


def daily_uses(days: int = 30) -> list[dict]:
    """Calls answered from the knowledge base per day, oldest first, days without any
    included; ``share`` is each day's count relative to the busiest day (for the bars)."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    since = _start_of(start)
    counts = dict(
        _uses(since)
        .annotate(day=TruncDate("at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    series = [
        {"day": start + timedelta(days=i), "n": counts.get(start + timedelta(days=i), 0)}
        for i in range(days)
    ]
    top = max((d["n"] for d in series), default=0) or 1
    for d in series:
        d["share"] = round(100 * d["n"] / top)
    return series


def entry_counts() -> dict:
    today = timezone.localdate()
    totals = Entry.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(is_active=True)),
        expired=Count("id", filter=Q(is_active=True, valid_to__lt=today)),
        upcoming=Count("id", filter=Q(is_active=True, valid_from__gt=today)),
    )
    totals["valid"] = Entry.objects.valid(today).count()
    totals["pending"] = Proposal.objects.filter(status=ProposalStatus.PENDING).count()
    return totals


def statistics() -> dict:
    """Everything the statistics page shows."""
    month_ago = timezone.now() - timedelta(days=30)
    answered = CaseEvent.objects.filter(action=ANSWER_DIRECTLY, at__gte=month_ago).count()
    used = _uses(month_ago).count()
    return {
        "counts": entry_counts(),
        "most_used": most_used(10),
        "most_used_30": most_used(10, since=month_ago),
        "answered_30": answered,
        "used_30": used,
        "used_share_30": round(100 * used / answered) if answered else None,
        "daily": daily_uses(30),
        "months": updates_by_month(12),
        "kinds": ChangeKind,
    }
