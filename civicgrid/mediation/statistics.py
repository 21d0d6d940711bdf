"""Mediation statistics: per organisation, mediator, source, type and month.

The page and the API read ``MediationMonth``, a rollup of the disputes *accepted* in a
month (the month of ``accepted_at``, local time). ``refresh_month`` recounts one month
from the raw disputes, ``refresh_cell`` the one cell a dispute's move can change (the
moves call it after they commit), and
``civicgrid mediation-rollup`` rebuilds every month (with progress). ``count_raw``
counts the same figures straight from the disputes: the tests check both agree exactly.

What each counter counts (of the disputes accepted in the month):

- accepted (受理): every one;
- written / oral agreements: ``confirm_by`` is set by a written agreement only; an oral
  agreement records the facts without it; succeeded (调解成功) = written + oral;
- amount: the amount involved, summed;
- confirmations: judicial confirmation applied for (``confirmation_applied_at``);
- confirmed / rejected: the court's ruling on it (a judicial ``Confirmation`` record);
  pending: applied for and not ruled on yet, so confirmations = confirmed + rejected +
  pending whenever each ruling follows an application;
- notarised: the agreement notarised instead (a notarial ``Confirmation`` record);
- performed: a successful one that reached "performed" (or was closed after it);
- prevented_criminal / prevented_petition: the flags the mediator sets at closing.

The success rate is succeeded / accepted; with nothing accepted it is "—", never a
division by zero.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Role

from .models import (
    Dispute,
    DisputeState,
    DisputeType,
    MediationMonth,
    Mediator,
    Organisation,
    Source,
)
from .records import Confirmation, ConfirmationKind, Ruling

COUNTERS = (
    "accepted",
    "succeeded",
    "written",
    "oral",
    "amount",
    "confirmations",
    "confirmed",
    "rejected",
    "pending",
    "notarised",
    "performed",
    "prevented_criminal",
    "prevented_petition",
)
LABELS = {
    "accepted": _("accepted"),
    "succeeded": _("mediated successfully"),
    "rate": _("success rate"),
    "written": _("written agreements"),
    "oral": _("oral agreements"),
    "amount": _("amount involved (yuan)"),
    "confirmations": _("judicial confirmations applied for"),
    "confirmed": _("judicially confirmed"),
    "rejected": _("confirmation rejected"),
    "pending": _("ruling pending"),
    "notarised": _("notarised"),
    "performed": _("performed"),
    "prevented_criminal": _("prevented from turning criminal"),
    "prevented_petition": _("prevented group petitions"),
}
GROUPS = {
    "organisation": _("organisation"),
    "mediator": _("mediator"),
    "source": _("source"),
    "type": _("dispute type"),
    "month": _("month"),
}
NONE = "—"

WRITTEN = Q(confirm_by__isnull=False)
ORAL = Q(confirm_by__isnull=True) & ~Q(facts="") & Q(failure_reason="")
SUCCEEDED = WRITTEN | ORAL
PERFORMED = SUCCEEDED & Q(state__in=[DisputeState.PERFORMED, DisputeState.CLOSED])


def _confirmation(kind: str, *rulings: str) -> Exists:
    records = Confirmation.objects.filter(dispute=OuterRef("pk"), kind=kind)
    return Exists(records.filter(ruling__in=rulings) if rulings else records)


def _rulings() -> dict:
    """The counters of the court's rulings and the notarisations (one each per dispute:
    an application is made once, a rejection is final)."""
    judicial, notarial = ConfirmationKind.JUDICIAL, ConfirmationKind.NOTARIAL
    ruled = _confirmation(judicial, Ruling.CONFIRMED, Ruling.REJECTED)
    return {
        "confirmed": Count("pk", filter=Q(_confirmation(judicial, Ruling.CONFIRMED))),
        "rejected": Count("pk", filter=Q(_confirmation(judicial, Ruling.REJECTED))),
        "pending": Count("pk", filter=Q(confirmation_applied_at__isnull=False) & ~Q(ruled)),
        "notarised": Count("pk", filter=Q(_confirmation(notarial))),
    }


def _counters() -> dict:
    def flag(name: str) -> Q:
        return Q(**{name: True})

    return {
        "accepted": Count("pk"),
        "succeeded": Count("pk", filter=SUCCEEDED),
        "written": Count("pk", filter=WRITTEN),
        "oral": Count("pk", filter=ORAL),
        "amount": Coalesce(Sum("amount"), Decimal(0)),
        "confirmations": Count("pk", filter=Q(confirmation_applied_at__isnull=False)),
        **_rulings(),
        "performed": Count("pk", filter=PERFORMED),
        "prevented_criminal": Count("pk", filter=flag("prevented_criminal")),
        "prevented_petition": Count("pk", filter=flag("prevented_group_petition")),
    }


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first moment of ``month`` and of the next one, local time."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), tz),
        timezone.make_aware(datetime.combine(following, time.min), tz),
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first moment of ``day`` and of the next one, local time."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz)


def _month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def _rows(disputes: QuerySet[Dispute], by_mediator: bool) -> Iterable[MediationMonth]:
    keys = ["m", "organisation_id", "source", "kind"]
    rows = disputes.annotate(
        m=TruncMonth("accepted_at", output_field=DateField()),
        kind=Coalesce("type__parent_id", "type_id"),
    )
    if by_mediator:
        rows = rows.filter(mediators__isnull=False).annotate(med=F("mediators"))
        keys.append("med")
    # Written in organisation order: an organisation's rows of a month share a few table
    # pages, so its monthly statistics read ~3 pages a month instead of one per row.
    for row in rows.values(*keys).annotate(**_counters()).order_by(*keys[1:], "m"):
        yield MediationMonth(
            month=row["m"],
            organisation_id=row["organisation_id"],
            mediator_id=row.get("med"),
            source=row["source"],
            type_id=row["kind"],
            **{name: row[name] for name in COUNTERS},
        )


def _lock(month: date) -> None:
    # Two refreshes of one month must not both delete and insert (PostgreSQL runs them
    # at once; SQLite serialises writers anyway).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4712, month.toordinal()])


def refresh_month(month: date) -> int:
    """Recount ``month`` from the raw disputes; the rollup rows written."""
    month = month.replace(day=1)
    start, end = month_bounds(month)
    disputes = Dispute.objects.filter(accepted_at__gte=start, accepted_at__lt=end)
    with transaction.atomic():
        _lock(month)
        MediationMonth.objects.filter(month=month).delete()
        made = MediationMonth.objects.bulk_create(
            [*_rows(disputes, False), *_rows(disputes, True)], batch_size=2000
        )
    return len(made)


def refresh_cell(month: date, organisation_id: int | None, source: str, kind_id: int) -> int:
    """Recount one cell of the rollup (a month, organisation, source and first-level
    type, with its mediator rows): what one dispute's move can change, cheap at scale."""
    month = month.replace(day=1)
    start, end = month_bounds(month)
    # No organisation yet is a cell too (IS NULL, not "= NULL").
    of_organisation = (
        Q(organisation__isnull=True)
        if organisation_id is None
        else Q(organisation_id=organisation_id)
    )
    disputes = Dispute.objects.filter(
        Q(type_id=kind_id) | Q(type__parent_id=kind_id),
        of_organisation,
        accepted_at__gte=start,
        accepted_at__lt=end,
        source=source,
    )
    with transaction.atomic():
        _lock(month)
        MediationMonth.objects.filter(
            of_organisation, month=month, source=source, type_id=kind_id
        ).delete()
        made = MediationMonth.objects.bulk_create(
            [*_rows(disputes, False), *_rows(disputes, True)], batch_size=2000
        )
    return len(made)


def refresh_after_commit(dispute: Dispute, organisation_id: int | None = None) -> None:
    """Recount the cell of ``dispute`` once the caller's transaction commits (and the
    cell of ``organisation_id`` too, when it moves to another organisation)."""
    if dispute.accepted_at is None:
        return
    month = _month_of(dispute.accepted_at)
    kind = DisputeType.objects.filter(pk=dispute.type_id).values_list("parent_id", flat=True)
    kind_id = kind.first() or dispute.type_id
    organisations = {dispute.organisation_id}
    if organisation_id is not None:
        organisations.add(organisation_id)
    source = dispute.source
    for organisation in organisations:
        transaction.on_commit(partial(refresh_cell, month, organisation, source, kind_id))


def months_with_disputes() -> list[date]:
    """Every month in which a dispute was accepted (local time)."""
    return sorted(
        {
            m
            for m in Dispute.objects.filter(accepted_at__isnull=False)
            .annotate(m=TruncMonth("accepted_at", output_field=DateField()))
            .values_list("m", flat=True)
            .distinct()
            .order_by()
            if m is not None
        }
    )


def rebuild(progress: Callable[[int, int, date], None] | None = None) -> int:
    """Recount every month from an empty rollup.

    Emptied first, the table is written again month after month, each month in
    organisation order: one organisation's rows of a month lie on a few neighbouring
    pages (recounting month by month in place scattered them over the free space of
    the rows deleted, one page read per row for an organisation's monthly statistics).
    Until it ends, the statistics show the months recounted so far."""
    months = months_with_disputes()
    MediationMonth.objects.all().delete()
    written = 0
    for done, month in enumerate(months, 1):
        written += refresh_month(month)
        if progress:
            progress(done, len(months), month)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE mediation_mediationmonth")
    return written


def vacuum() -> None:
    """After a rebuild, outside any transaction: PostgreSQL forgets the rows deleted
    (until then the indexes still lead to them: twice the pages read per query)."""
    if connection.vendor == "postgresql" and connection.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) mediation_mediationmonth")


def scoped_organisations(user) -> QuerySet[Organisation] | None:
    """The organisations whose figures ``user`` sees: all (None) for an administrator,
    else those in the leader's regions (the rows of no organisation are shown too)."""
    if user.is_superuser or user.has_role(Role.ADMIN):
        return None
    paths = [p for g in user.grants_for(Role.LEADER) for p in g.region_paths]
    organisations = Organisation.objects.none()
    for path in paths:
        organisations |= Organisation.objects.filter(region__path__startswith=path)
    return organisations


# --- reading ---------------------------------------------------------------------------


@dataclass
class Filters:
    start: date | None = None
    end: date | None = None
    organisation: int | None = None
    mediator: int | None = None
    source: str = ""
    type: str = ""  # a first-level type code: it takes its children
    group: str = "organisation"

    def __post_init__(self):
        if self.group not in GROUPS:
            self.group = "organisation"
        if self.source not in Source.values:
            self.source = ""


@dataclass
class Row:
    key: object
    label: str
    accepted: int = 0
    succeeded: int = 0
    written: int = 0
    oral: int = 0
    amount: Decimal = Decimal(0)
    confirmations: int = 0
    confirmed: int = 0
    rejected: int = 0
    pending: int = 0
    notarised: int = 0
    performed: int = 0
    prevented_criminal: int = 0
    prevented_petition: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Succeeded / accepted in percent (two decimals), None with nothing accepted."""
        if not self.accepted:
            return None
        return (Decimal(self.succeeded) * 100 / Decimal(self.accepted)).quantize(Decimal("0.01"))

    @property
    def rate_text(self) -> str:
        rate = self.rate
        return NONE if rate is None else f"{rate} %"


def _filtered(filters: Filters, organisations: QuerySet | None) -> QuerySet[MediationMonth]:
    rows = MediationMonth.objects.filter(mediator__isnull=filters.group != "mediator")
    if filters.start:
        rows = rows.filter(month__gte=filters.start.replace(day=1))
    if filters.end:
        rows = rows.filter(month__lte=filters.end.replace(day=1))
    if filters.organisation:
        rows = rows.filter(organisation_id=filters.organisation)
    if filters.mediator:
        rows = rows.filter(mediator_id=filters.mediator)
    if filters.source:
        rows = rows.filter(source=filters.source)
    if filters.type:
        rows = rows.filter(type__code=filters.type)
    if organisations is not None:
        rows = rows.filter(Q(organisation__in=organisations) | Q(organisation__isnull=True))
    return rows


GROUP_FIELDS = {
    "organisation": "organisation_id",
    "mediator": "mediator_id",
    "source": "source",
    "type": "type_id",
    "month": "month",
}


def _labels(group: str, keys: list) -> dict:
    """The name shown for each key of the rows (one query, after the aggregation)."""
    if group == "source":
        return {k: str(label) for k, label in Source.choices}
    if group == "month":
        return {k: f"{k:%Y-%m}" for k in keys if k}
    ids = [k for k in keys if k is not None]
    if group == "type":
        return {t.pk: f"{t.code} {t.name}" for t in DisputeType.objects.filter(pk__in=ids)}
    if group == "mediator":
        return dict(Mediator.objects.filter(pk__in=ids).values_list("pk", "name"))
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


def table(filters: Filters, organisations: QuerySet | None = None) -> tuple[list[Row], Row]:
    """The rows of the statistics under ``filters`` and their total.

    ``organisations`` limits the rows to those organisations (and the unassigned)."""
    key = GROUP_FIELDS[filters.group]
    sums = {c: Coalesce(Sum(c), Decimal(0) if c == "amount" else 0) for c in COUNTERS}
    found = list(_filtered(filters, organisations).values(key).annotate(**sums).order_by(key))
    labels = _labels(filters.group, [values[key] for values in found])
    rows = []
    total = Row(key=None, label=str(_("total")))
    for values in found:
        value = values[key]
        label = labels.get(value, str(value)) if value is not None else str(_("not assigned"))
        row = Row(key=value, label=label, **{c: values[c] for c in COUNTERS})
        rows.append(row)
        for c in COUNTERS:
            setattr(total, c, getattr(total, c) + values[c])
    if filters.group == "mediator" and not filters.mediator:
        # A dispute with two mediators counts for each: the total is not their sum.
        total = _raw_total(filters, organisations)
    return rows, total


def _raw_total(filters: Filters, organisations) -> Row:
    plain = Filters(**{**filters.__dict__, "group": "organisation"})
    rows, total = table(plain, organisations)
    return total


def count_raw(filters: Filters) -> tuple[list[Row], Row]:
    """The same table counted straight from the disputes (slow; for checks and tests)."""
    disputes = Dispute.objects.filter(accepted_at__isnull=False)
    if filters.start:
        disputes = disputes.filter(accepted_at__gte=month_bounds(filters.start)[0])
    if filters.end:
        disputes = disputes.filter(accepted_at__lt=month_bounds(filters.end)[1])
    if filters.organisation:
        disputes = disputes.filter(organisation_id=filters.organisation)
    if filters.source:
        disputes = disputes.filter(source=filters.source)
    if filters.type:
        disputes = disputes.filter(Q(type__code=filters.type) | Q(type__parent__code=filters.type))
    group = {
        "organisation": "organisation_id",
        "source": "source",
        "type": "kind",
        "month": "m",
        "mediator": "mediators",
    }[filters.group]
    if filters.group == "month":
        disputes = disputes.annotate(m=TruncMonth("accepted_at", output_field=DateField()))
    if filters.group == "type":
        disputes = disputes.annotate(kind=Coalesce("type__parent_id", "type_id"))
    if filters.group == "mediator":
        disputes = disputes.filter(mediators__isnull=False)
        if filters.mediator:
            disputes = disputes.filter(mediators=filters.mediator)
    found = disputes.values(group).annotate(**_counters()).order_by(group)
    rows = [Row(key=v[group], label=str(v[group]), **{c: v[c] for c in COUNTERS}) for v in found]
    # Each dispute once in the total, however many mediators it had.
    once = Dispute.objects.filter(pk__in=disputes.values("pk")).aggregate(**_counters())
    return rows, Row(key=None, label="total", **once)
