"""Reading the knowledge base: how often entries were used, and the statistics page.

Every ``answer_directly`` event names the entry it used in ``data["knowledge_entry"]``
(``cases.action_rules``). As each is recorded, the event consumer ``events.count_use``
adds it to the entry's own counter (``Entry.use_count``: uses in all) and to its day's
``DailyUse`` row (direct answers per day and entry, or without one): a period's uses are
read from those rows — at most one per day and entry used — not from the answers in the
case log. Migrations ``0002`` and ``0003`` filled them from the log.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import (
    ChangeKind,
    DailyUse,
    Entry,
    EntryChange,
    Proposal,
    ProposalStatus,
    in_force,
)

# The statistics' window: today and the days before it.
WINDOW_DAYS = 30


def _window_start(days: int = WINDOW_DAYS) -> date:
    return timezone.localdate() - timedelta(days=days - 1)


def _uses(since: date):
    """The days' rows of direct answers that cited an entry, from ``since`` on."""
    return DailyUse.objects.filter(day__gte=since, entry__isnull=False)


def usage_counts(entry_ids, since: date | None = None) -> dict[int, int]:
    """How many calls were answered with each of ``entry_ids`` (one query): in all from
    the entries' counters, from the day ``since`` on from their days' rows."""
    ids = [int(i) for i in entry_ids]
    if not ids:
        return {}
    if since is None:
        return dict(
            Entry.objects.filter(pk__in=ids, use_count__gt=0).values_list("pk", "use_count")
        )
    rows = _uses(since).filter(entry_id__in=ids).values("entry_id").annotate(n=Sum("answers"))
    return dict(rows.values_list("entry_id", "n"))


def usage_of(entry: Entry) -> dict:
    """Uses of one entry: in all and the last one (its counters), in the last 30 days
    (its days' rows)."""
    last_30 = _uses(_window_start()).filter(entry=entry).aggregate(n=Sum("answers"))["n"]
    return {"total": entry.use_count, "last_30_days": last_30 or 0, "last": entry.last_used_at}


def most_used(limit: int = 10, since: date | None = None) -> list[tuple[Entry, int]]:
    """The entries used most (from the day ``since`` on), with their counts, most first
    (their questions: what the rankings show)."""
    entries = Entry.objects.only("question", "use_count")
    if since is None:
        top_entries = entries.filter(use_count__gt=0).order_by("-use_count", "pk")[:limit]
        return [(e, e.use_count) for e in top_entries]
    top = list(
        _uses(since)
        .values("entry_id")
        .annotate(n=Sum("answers"))
        .order_by("-n", "entry_id")
        .values_list("entry_id", "n")[:limit]
    )
    found = entries.in_bulk([i for i, _n in top])
    return [(found[i], n) for i, n in top if i in found]


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


def daily_uses(days: int = WINDOW_DAYS) -> list[dict]:
    """Calls answered from the knowledge base per day, oldest first, days without any
    included; ``share`` is each day's count relative to the busiest day (for the bars)."""
    start = _window_start(days)
    counts = dict(_uses(start).values("day").annotate(n=Sum("answers")).values_list("day", "n"))
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
        valid=Count("id", filter=in_force(today)),
    )
    totals["pending"] = Proposal.objects.filter(status=ProposalStatus.PENDING).count()
    return totals


def statistics() -> dict:
    """Everything the statistics page shows."""
    start = _window_start()
    days = DailyUse.objects.filter(day__gte=start).aggregate(
        answered=Sum("answers"), used=Sum("answers", filter=Q(entry__isnull=False))
    )
    answered, used = days["answered"] or 0, days["used"] or 0
    return {
        "counts": entry_counts(),
        "most_used": most_used(10),
        "most_used_30": most_used(10, since=start),
        "answered_30": answered,
        "used_30": used,
        "used_share_30": round(100 * used / answered) if answered else None,
        "daily": daily_uses(),
        "months": updates_by_month(12),
        "kinds": ChangeKind,
    }
