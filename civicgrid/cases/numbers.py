"""Human-readable case numbers: the day and its running count (20261122-00001).

On PostgreSQL every day has its own ``SEQUENCE`` (``cases_number_20261122``), created on
the day's first intake. ``nextval`` locks nothing that outlives the statement and is not
undone by a rollback, so intakes across the city take numbers in parallel, inside their
own transaction, without waiting on one counter row or paying a commit of their own.
Elsewhere (SQLite, which serialises writes anyway) the day's ``DailySequence`` row is
bumped, inside the intake's transaction.

Numbers are unique and increase through the day; they are **not gap-free**: an intake
that fails after taking its number (a refused key, a crash) leaves that number unused.
Nothing in the rules asks for gap-free numbers (the case list, the Open311
``service_request_id`` and the paper trail only need them unique), and a gap-free count
would make every intake in the city wait on one row until its commit.
"""

from datetime import date

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F

from .models import DailySequence

# Days whose sequence this process has seen committed: no CREATE before nextval.
_ready: set[str] = set()


def prepare(day: date) -> None:
    """Make sure ``day`` has its sequence, before the intake's transaction starts (so
    that creating it is committed once, not tried again inside every transaction)."""
    if connection.vendor == "postgresql" and sequence_name(day) not in _ready:
        _create(day, sequence_name(day))


def next_number(day: date) -> str:
    """The next number of ``day``; called inside the intake's transaction."""
    if connection.vendor == "postgresql":
        count = _nextval(day)
    else:
        count = _bump_row(day)
    return f"{prefix(day)}{count:05d}"


def prefix(day: date) -> str:
    """What every number of ``day`` starts with (``20261122-``)."""
    return f"{day:%Y%m%d}-"


def sequence_name(day: date) -> str:
    return f"cases_number_{day:%Y%m%d}"


def _nextval(day: date) -> int:
    name = sequence_name(day)
    if name not in _ready:
        _create(day, name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [name])
        return cursor.fetchone()[0]


def _create(day: date, name: str) -> None:
    """Create the day's sequence if it is missing, starting after any number the
    day's counter row already gave (a database numbering by row before this)."""
    row = DailySequence.objects.filter(day=day).values_list("last", flat=True).first()
    start = (row or 0) + 1
    outside = not connection.in_atomic_block
    try:
        # A savepoint inside a transaction; its own commit outside one.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {start:d}")
    except (IntegrityError, DatabaseError):
        # Two first intakes of the day at once: the other one's CREATE won.
        pass
    if outside:
        # Committed: this process need not ask again. Inside a transaction (a caller's
        # atomic block, a test) a rollback could undo it, so it is asked each time.
        _ready.add(name)


def _bump_row(day: date) -> int:
    """SQLite: the day's counter row, bumped (created on the day's first intake)."""
    for _attempt in range(3):
        with transaction.atomic():
            if DailySequence.objects.filter(day=day).update(last=F("last") + 1):
                return DailySequence.objects.filter(day=day).values_list("last", flat=True)[0]
        try:
            with transaction.atomic():
                DailySequence.objects.create(day=day, last=1)
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a case number")
