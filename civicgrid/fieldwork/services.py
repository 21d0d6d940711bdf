"""Field work as rules the views and the API only call: households, visits, must-attend
tasks, centre tasks, councils and points. Each change takes ``*, actor`` and happens in
one transaction: refused input changes nothing."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import CharField, Count, F, Q, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Role, User
from civicgrid.cases import events
from civicgrid.cases.attachments import FileProblem, check_files
from civicgrid.cases.lifecycle import Action, ActionRefused, InvalidAction
from civicgrid.cases.models import Case, CaseEvent, Channel, Status
from civicgrid.cases.photos import MAX_PHOTOS, CleanPhoto
from civicgrid.cases.services import Intake, SubmissionKey, register_case, register_case_once
from civicgrid.core.models import PersonalDataRead
from civicgrid.core.snapshot import Snapshot
from civicgrid.regions.models import Region
from civicgrid.routing import catalogue

from . import scope
from .calendar import month_of, months_between, next_month
from .events import ARRIVED
from .models import (
    DEFAULT_EVERY_MONTHS,
    CentreTask,
    Council,
    CouncilTask,
    Household,
    HouseholdCategory,
    MustAttend,
    MustAttendRule,
    PointEntry,
    RecordKind,
    ReplyPhoto,
    Reward,
    TaskReply,
    TeamMember,
    TeamRole,
    Visit,
    VisitRule,
    VisitTally,
    WorkerRecord,
)

# Months are counted from here so that a household's visits fall in a fixed rhythm.
EPOCH = date(2000, 1, 1)
MAX_TEXT = 4000
MAX_POINTS = 1000
MAX_GRIDS = 500


def _text(value: str, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidAction(_("This field is required."), field)
    if len(value) > limit:
        raise InvalidAction(_("At most %(n)d characters.") % {"n": limit}, field)
    return value


def _require_team(actor: Actor, grid: Region) -> None:
    if not scope.in_team(actor, grid):
        raise ActionRefused(_("%(grid)s is not one of your grids.") % {"grid": grid.name})


def _require_seen(actor: Actor, grid: Region) -> None:
    if not scope.may_see(actor, grid):
        raise ActionRefused(_("%(grid)s is not one of your grids.") % {"grid": grid.name})


def _require_community(actor: Actor, grid: Region) -> None:
    if not scope.in_community(actor, grid):
        raise ActionRefused(
            _("Only the community or centre responsible for %(grid)s does this.")
            % {"grid": grid.name}
        )


# --- households ----------------------------------------------------------------------


def add_household(
    grid: Region,
    *,
    actor: User,
    label: str,
    category: str,
    consent_on: date | None,
    contact_name: str = "",
    contact_phone: str = "",
) -> Household:
    """Register a household of concern; only with its recorded consent."""
    _require_seen(actor, grid)
    if grid.level != "grid":
        raise InvalidAction(_("Households belong to a grid."), "grid")
    if category not in HouseholdCategory.values:
        raise InvalidAction(_("Choose a category."), "category")
    if consent_on is None:
        raise InvalidAction(
            _("Record the household's consent before keeping anything about it."), "consent_on"
        )
    if consent_on > timezone.localdate():
        raise InvalidAction(_("Consent cannot be given in the future."), "consent_on")
    with transaction.atomic():
        return Household.objects.create(
            grid=grid,
            label=_text(label, "label", required=True, limit=60),
            category=category,
            contact_name=_text(contact_name, "contact_name", limit=50),
            contact_phone=_text(contact_phone, "contact_phone", limit=20),
            consent_on=consent_on,
            consent_by=actor,
        )


def visible_households(user):
    return Household.objects.filter(scope.grid_filter(user), active=True)


def reveal_contact(household: Household, *, actor: User, reason: str = "") -> dict:
    """The unmasked contact; every call is written to the audit log."""
    _require_seen(actor, household.grid)
    PersonalDataRead.objects.create(
        user=actor,
        subject=f"household {household.pk}",
        field="household contact",
        reason=(reason or "")[:200],
    )
    return {"name": household.contact_name, "phone": household.contact_phone}


# --- visit schedules -----------------------------------------------------------------


def schedule() -> dict[str, int]:
    """Every category's visit interval in months (the admin's table over the defaults)."""
    every = {str(k): v for k, v in DEFAULT_EVERY_MONTHS.items()}
    every.update(VisitRule.objects.values_list("category", "every_months"))
    return every


def generate_due_visits(month: date) -> int:
    """The visits due in ``month``, one row per household that is due; running it again
    adds nothing. A household every ``k`` months is due when (its id + the month's number)
    is a multiple of ``k``, so a grid's quarterly visits spread over the quarter.

    One ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per category: the rows never leave
    the database (PostgreSQL and SQLite alike)."""
    month = month_of(month)
    index = months_between(EPOCH, month)
    visits, households = Visit._meta.db_table, Household._meta.db_table
    sql = (
        f"INSERT INTO {visits} (household_id, grid_id, month, found, follow_up, client_key) "
        f"SELECT id, grid_id, %s, '', '', '' FROM {households} "
        "WHERE active AND category = %s AND (id + %s) %% %s = 0 "
        "ON CONFLICT (household_id, month) DO NOTHING"
    )
    created = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for category, every in schedule().items():
            cursor.execute(sql, [month, category, index, every])
            created += max(cursor.rowcount, 0)
        _count_month(cursor, month)
    return created


# --- the per-grid tallies the board reads ----------------------------------------------

_TALLY_SQL = (
    "INSERT INTO {tally} (grid_id, month, due, made, on_time) "
    "SELECT grid_id, month, COUNT(*), COUNT(visited_on), "
    "SUM(CASE WHEN visited_on < %s THEN 1 ELSE 0 END) "
    "FROM {visits} WHERE month = %s GROUP BY grid_id, month "
    "ON CONFLICT (grid_id, month) DO UPDATE SET due = excluded.due, made = excluded.made, "
    "on_time = excluded.on_time"
)


def _count_month(cursor, month: date) -> None:
    """Count ``month``'s visits of every grid into its tallies, in the database."""
    sql = _TALLY_SQL.format(tally=VisitTally._meta.db_table, visits=Visit._meta.db_table)
    cursor.execute(
        f"DELETE FROM {VisitTally._meta.db_table} WHERE month = %s AND grid_id NOT IN "
        f"(SELECT grid_id FROM {Visit._meta.db_table} WHERE month = %s)",
        [month, month],
    )
    cursor.execute(sql, [next_month(month), month])


def refresh_tallies(month: date | None = None) -> int:
    """Count the visits again into the board's tallies: every month, or ``month`` only.
    For a repair, after visits were loaded or changed outside the services (the demo,
    a bulk load); the services keep the tallies current themselves. Returns the
    number of months counted."""
    months = (
        [month_of(month)]
        if month is not None
        else list(Visit.objects.order_by("month").values_list("month", flat=True).distinct())
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if month is None:
            VisitTally.objects.all().delete()
        for each in months:
            _count_month(cursor, each)
    return len(months)


def _bump(grid_id: int, month: date, *, due: int = 0, made: int = 0, on_time: int = 0) -> None:
    """Add to one grid's tally of ``month`` (an increment in the database: two visits
    recorded at once both count)."""
    changes = {
        "due": F("due") + due,
        "made": F("made") + made,
        "on_time": F("on_time") + on_time,
    }
    row = VisitTally.objects.filter(grid_id=grid_id, month=month)
    if not row.update(**changes):
        VisitTally.objects.bulk_create(
            [VisitTally(grid_id=grid_id, month=month)], ignore_conflicts=True
        )
        row.update(**changes)


@dataclass
class Recorded:
    visit: Visit
    replayed: bool


def record_visit(
    household: Household,
    *,
    actor: User,
    visited_on: date | None = None,
    found: str = "",
    follow_up: str = "",
    key: str = "",
    problem_title: str = "",
) -> Recorded:
    """Record a visit made to ``household``: it closes the household's oldest open due
    visit (of any month up to the visit's, so an overdue visit of an earlier month is
    closed, late), else it is one more visit in its own month.

    Sent again with the same ``key`` after a lost connection it returns the first record
    (``replayed``); with nothing open, a second visit in the same month is refused.
    ``problem_title`` turns what was found into a case (the grid worker's field report),
    in the same transaction.
    """
    today = timezone.localdate()
    visited_on = visited_on or today
    key = (key or "").strip()[:64]
    if key and (earlier := Visit.objects.filter(worker=actor, client_key=key).first()):
        return Recorded(earlier, replayed=True)
    _require_team(actor, household.grid)
    if not household.active:
        raise InvalidAction(_("This household is no longer followed."))
    if visited_on > today:
        raise InvalidAction(_("A visit cannot be recorded before it is made."), "visited_on")
    found = _text(found, "found", required=True)
    follow_up = _text(follow_up, "follow_up")
    problem_title = _text(problem_title, "problem_title", limit=200)
    month = month_of(visited_on)
    with transaction.atomic():
        visit, new = _visit_to_close(household, month)
        if visit.visited_on is not None:
            raise InvalidAction(
                _("%(door)s was already visited on %(day)s this month.")
                % {"door": household.label, "day": visit.visited_on.isoformat()}
            )
        visit.visited_on = visited_on
        visit.worker = actor
        visit.found = found
        visit.follow_up = follow_up
        visit.client_key = key
        if problem_title:
            visit.case = _report(household, actor, problem_title, found, key)
        visit.save()
        _bump(
            visit.grid_id,
            visit.month,
            due=1 if new else 0,
            made=1,
            on_time=0 if visit.late(today) else 1,
        )
    return Recorded(visit, replayed=False)


def _visit_to_close(household: Household, month: date) -> tuple[Visit, bool]:
    """The household's oldest open due visit up to ``month`` (locked), else ``month``'s
    own row (made now if there is none: ``True``)."""
    oldest = (
        Visit.objects.select_for_update()
        .filter(household=household, visited_on__isnull=True, month__lte=month)
        .order_by("month")
        .first()
    )
    if oldest is not None:
        return oldest, False
    return Visit.objects.select_for_update().get_or_create(
        household=household, month=month, defaults={"grid_id": household.grid_id}
    )


def _report(household: Household, actor: User, title: str, found: str, key: str) -> Case:
    """What a visit found, as a case through the grid worker's own report door."""
    intake = Intake(
        channel=Channel.GRID_PATROL,
        title=title,
        content=found,
        address=f"{household.grid.name} {household.label}",
    )
    submission = SubmissionKey.for_user(actor, f"visit-{key}" if key else "")
    return register_case_once(intake, actor=actor, key=submission).case


def due_visits(user, month: date | None = None):
    """The visits still to make in the user's grids: this month's and the overdue."""
    month = month_of(month or timezone.localdate())
    # The grids as a subquery, in the same round trip as the visits.
    grids = scope.team_grids(user).values("pk")
    return (
        Visit.objects.filter(grid_id__in=grids, visited_on__isnull=True, month__lte=month)
        .select_related("household", "grid")
        .order_by("month", "grid_id", "household_id")
    )


# --- the overdue board ---------------------------------------------------------------


@dataclass
class Tally:
    name: str
    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0  # open visits of earlier months

    @property
    def share(self) -> float | None:
        """The share of the month's due visits made in their month."""
        return None if not self.due else self.on_time / self.due

    def add(self, other: "Tally") -> None:
        self.due += other.due
        self.done += other.done
        self.on_time += other.on_time
        self.overdue += other.overdue


@dataclass
class Board:
    month: date
    grids: list[Tally]
    communities: list[Tally]
    workers: list[Tally]
    total: Tally


def overdue_board(user, month: date | None = None, *, region: Region | None = None) -> Board:
    """Per grid, community and grid worker: the month's due visits, those made on time,
    and the visits of earlier months still not made. Read from the per-grid tallies
    (``VisitTally``, a few dozen rows per grid) in one grouped query, not from the
    visits themselves."""
    month = month_of(month or timezone.localdate())
    grids = scope.visible_grids(user)
    if region is not None:
        grids = grids.filter(path__startswith=region.path)
    names = {
        pk: (name, path, parent_id, parent_name)
        for pk, name, path, parent_id, parent_name in grids.values_list(
            "pk", "name", "path", "parent_id", "parent__name"
        )
    }
    this = Q(month=month)
    earlier = Q(month__lt=month)
    tallies = VisitTally.objects.filter(month__lte=month).order_by().values("grid_id")
    if not scope.is_admin(user) or region is not None:
        # The grids as a subquery: a district's 948 ids are not sent back and forth.
        tallies = tallies.filter(grid_id__in=grids.values("pk"))
    current = tallies.annotate(
        due_now=Sum("due", filter=this),
        made_now=Sum("made", filter=this),
        on_time_now=Sum("on_time", filter=this),
        backlog=Sum(F("due") - F("made"), filter=earlier),
    )
    rows: dict[int, Tally] = {}
    for row in current:
        if row["grid_id"] not in names:
            continue
        due, backlog = row["due_now"] or 0, row["backlog"] or 0
        if not due and not backlog:
            continue
        rows[row["grid_id"]] = Tally(
            "", due, row["made_now"] or 0, row["on_time_now"] or 0, backlog
        )
    communities: dict[int, Tally] = {}
    total = Tally(_("All"))
    for pk, tally in rows.items():
        name, _path, parent_id, parent_name = names[pk]
        tally.name = name
        community = communities.setdefault(parent_id or 0, Tally(parent_name or ""))
        community.add(tally)
        total.add(tally)
    workers = _worker_tallies(rows, {pk: names[pk][1] for pk in rows})
    return Board(
        month=month,
        grids=sorted(rows.values(), key=_worst_first),
        communities=sorted(communities.values(), key=_worst_first),
        workers=sorted(workers, key=_worst_first),
        total=total,
    )


def _worst_first(tally: Tally):
    return (tally.share if tally.share is not None else 1.0, -tally.overdue, tally.name)


def _worker_tallies(rows: dict[int, Tally], paths: dict[int, str]) -> list[Tally]:
    """Each grid worker answers for the grids their grant covers."""
    from civicgrid.accounts.models import RoleGrant

    covers = RoleGrant.objects.filter(role=Role.GRID_WORKER, regions__isnull=False).values_list(
        "user_id", "user__username", "user__first_name", "user__last_name", "regions__path"
    )
    by_user: dict[int, Tally] = {}
    counted: set[tuple[int, int]] = set()
    for user_id, username, first, last, region_path in covers:
        for pk, path in paths.items():
            if not path.startswith(region_path) or (user_id, pk) in counted:
                continue
            counted.add((user_id, pk))
            name = f"{last}{first}".strip() or username
            by_user.setdefault(user_id, Tally(name)).add(rows[pk])
    return list(by_user.values())


def assess(worker: User, *, actor: User, months: int = 12) -> WorkerRecord:
    """An assessment record from the worker's own visits: the share made on time over the
    last ``months`` months, as a score out of 100."""
    if not (scope.is_admin(actor) or actor.has_role(*scope.COMMUNITY)):
        raise ActionRefused(_("Only the community or centre assesses grid workers."))
    today = timezone.localdate()
    start = month_of(today)
    for _i in range(months):
        start = month_of(start - timedelta(days=1))
    grids = scope.team_grids(worker)
    visits = Visit.objects.filter(grid__in=grids, month__gte=start, month__lt=month_of(today))
    due = visits.count()
    on_time = sum(
        1
        for v in visits.filter(visited_on__isnull=False).only("month", "visited_on")
        if not v.late()
    )
    score = round(100 * on_time / due, 1) if due else None
    return WorkerRecord.objects.create(
        worker=worker,
        kind="assessment",
        on=today,
        title=_("Visits on time: %(on_time)d of %(due)d") % {"on_time": on_time, "due": due},
        score=score,
        recorded_by=actor,
    )


# --- must-attend events (五必到) -------------------------------------------------------


def _rules_version() -> tuple:
    row = MustAttendRule.objects.aggregate(
        n=Count("id"), a=Sum("id", filter=Q(active=True)), m=Sum("minutes")
    )
    return tuple(row.values())


# The active rules by category, per process: every registration and dispatch asks.
_rules: Snapshot[dict[int, MustAttendRule]] = Snapshot(
    _rules_version,
    lambda: {r.category_id: r for r in MustAttendRule.objects.filter(active=True)},
)


def _rule_of(category_id: int | None) -> MustAttendRule | None:
    rules = _rules.get()
    category = catalogue.category_by_id(category_id)
    if not rules or category is None:
        return None
    return next((rules[c.pk] for c in category.lineage() if c.pk in rules), None)


def rule_for(case: Case) -> MustAttendRule | None:
    return _rule_of(case.category_id)


def must_attend_on_event(event: CaseEvent) -> None:
    """The event consumer (wired in ``civicgrid/wiring/extensions.py``): a case of a
    must-attend category, registered or dispatched with a grid, gets an on-site task for
    the grid's worker; once per case."""
    if event.action not in (Action.REGISTER, Action.DISPATCH):
        return
    if event.action == Action.REGISTER and CaseEvent.case.is_cached(event):
        case = event.case  # written a moment ago, in the transaction that just committed
    else:
        case = Case.objects.only("pk", "status", "grid_id", "category_id").get(pk=event.case_id)
    if case.grid_id is None or not case.is_open:
        return
    rule = rule_for(case)
    if rule is None:
        return
    # Once per case: the case's unique task row decides, in one statement.
    task = MustAttend(
        case=case, grid_id=case.grid_id, due_at=event.at + timedelta(minutes=rule.minutes)
    )
    MustAttend.objects.bulk_create([task], ignore_conflicts=True)


def arrive(task: MustAttend, *, actor: User, note: str = "") -> MustAttend:
    """The grid worker is at the scene: the time is recorded once (no position)."""
    _require_team(actor, task.grid)
    note = _text(note, "note", limit=2000)
    now = timezone.now()
    with transaction.atomic():
        won = MustAttend.objects.filter(pk=task.pk, arrived_at__isnull=True).update(
            arrived_at=now, arrived_by=actor, note=note
        )
        if not won:
            raise InvalidAction(_("Arrival was already recorded for this case."))
        task.refresh_from_db()
        events.record(
            task.case,
            ARRIVED,
            actor=actor,
            note=note,
            data={"arrived_late": now > task.due_at},
            at=now,
        )
    return task


def open_must_attend(user):
    return (
        MustAttend.objects.filter(grid__in=scope.team_grids(user), arrived_at__isnull=True)
        .select_related("case", "grid")
        .order_by("due_at")
    )


# --- the grid worker's day: three short lists in one query ---------------------------


@dataclass
class DayLine:
    """One line of the day page: a must-attend task (``at``: be there by), a centre
    task's reply to send (``ref``: the task; ``at``: its deadline) or my report."""

    kind: str
    pk: int
    title: str
    number: str
    at: datetime | None
    grid_name: str
    ref: int
    status: str
    status_label: str = ""

    @property
    def late(self) -> bool:
        return self.at is not None and self.at < timezone.now()


DAY_KINDS = ("attend", "reply", "report")
_DAY_COLUMNS = ("kind", "pk", "line_title", "line_number", "line_at", "grid_label", "ref", "state")


def _day_part(queryset, kind: str, **columns):
    """``queryset`` as the day's common columns (``kind`` first), ordered and cut."""
    text = CharField()
    return queryset.annotate(
        kind=Value(kind, output_field=text),
        **{
            name: (Value(v, output_field=text) if isinstance(v, str) else v)
            for name, v in columns.items()
        },
    ).values_list(*_DAY_COLUMNS)


def day_lists(user, *, limit: int = 50, reports: int = 10) -> dict[str, list[DayLine]]:
    """The open must-attend tasks, the centre tasks my grids have not answered (``limit``
    each) and my last ``reports`` cases: one ``UNION ALL`` of three short ordered
    selects (one round trip instead of three; SQLite and PostgreSQL alike)."""
    grids = scope.team_grids(user).values("pk")
    parts = [
        _day_part(
            MustAttend.objects.filter(grid__in=grids, arrived_at__isnull=True),
            "attend",
            line_title=F("case__title"),
            line_number=F("case__number"),
            line_at=F("due_at"),
            grid_label=F("grid__name"),
            ref=F("case_id"),
            state=F("case__status"),
        ).order_by("due_at", "pk")[:limit],
        _day_part(
            TaskReply.objects.filter(grid__in=grids, done_at__isnull=True),
            "reply",
            line_title=F("task__title"),
            line_number="",
            line_at=F("task__due_at"),
            grid_label=F("grid__name"),
            ref=F("task_id"),
            state="",
        ).order_by(F("task__due_at").asc(nulls_last=True), "-task__created_at", "pk")[:limit],
        _day_part(
            Case.objects.filter(created_by=user),
            "report",
            line_title=F("title"),
            line_number=F("number"),
            line_at=F("created_at"),
            grid_label="",
            ref=F("pk"),
            state=F("status"),
        ).order_by("-created_at", "-id")[:reports],
    ]
    selects, params = [], []
    for n, part in enumerate(parts):
        sql, part_params = part.query.sql_with_params()
        selects.append(f"SELECT * FROM ({sql}) AS part{n}")  # noqa: S608 — Django's SQL
        params.extend(part_params)
    lines: dict[str, list[DayLine]] = {kind: [] for kind in DAY_KINDS}
    labels = dict(Status.choices)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for row in cursor.fetchall():
            line = DayLine(*row)
            if isinstance(line.at, str):  # SQLite hands back the text of a union's column
                line.at = datetime.fromisoformat(line.at)
            if line.at is not None and timezone.is_naive(line.at):
                line.at = timezone.make_aware(line.at, UTC)
            line.status_label = str(labels.get(line.status, ""))
            lines[line.kind].append(line)
    return lines


# --- centre tasks --------------------------------------------------------------------


def send_task(
    grids, *, actor: User, title: str, details: str = "", due_at: datetime | None = None
) -> CentreTask:
    """One task to many grids in one go; each grid replies on its own."""
    grids = list({g.pk: g for g in grids}.values())
    if not grids:
        raise InvalidAction(_("Choose at least one grid."), "grids")
    if len(grids) > MAX_GRIDS:
        raise InvalidAction(_("Send to at most %(n)d grids at once.") % {"n": MAX_GRIDS}, "grids")
    if not actor.has_role(*scope.COMMUNITY) and not scope.is_admin(actor):
        raise ActionRefused(_("Only the centre or community sends tasks to grids."))
    for grid in grids:
        _require_community(actor, grid)
    title = _text(title, "title", required=True, limit=200)
    details = _text(details, "details")
    with transaction.atomic():
        task = CentreTask.objects.create(
            title=title, details=details, due_at=due_at, created_by=actor
        )
        TaskReply.objects.bulk_create(TaskReply(task=task, grid=g) for g in grids)
    return task


def reply_task(reply: TaskReply, *, actor: User, result: str, files=()) -> TaskReply:
    """The grid's answer with its photos (at most ``MAX_PHOTOS``, images only, each at
    most 10 MB and cleaned of EXIF and GPS); once."""
    _require_team(actor, reply.grid)
    result = _text(result, "result", required=True)
    files = list(files)
    if len(files) > MAX_PHOTOS:
        raise InvalidAction(
            _("Send at most %(n)d photos with a reply.") % {"n": MAX_PHOTOS}, "photos"
        )
    try:
        checked = check_files(files)
    except FileProblem as problem:
        raise InvalidAction(str(problem), "photos") from None
    for upload in checked:
        if not isinstance(upload, CleanPhoto):
            raise InvalidAction(
                _("“%(name)s” is not a photo (JPEG, PNG, WebP or GIF).") % {"name": upload.name},
                "photos",
            )
    with transaction.atomic():
        won = TaskReply.objects.filter(pk=reply.pk, done_at__isnull=True).update(
            result=result, done_at=timezone.now(), done_by=actor
        )
        if not won:
            raise InvalidAction(_("This grid has already replied to the task."))
        for upload in checked:
            ReplyPhoto.objects.create(
                reply=reply,
                file=upload,
                name=upload.name,
                content_type=getattr(upload, "content_type", ""),
            )
    reply.refresh_from_db()
    return reply


def open_replies(user):
    return (
        TaskReply.objects.filter(grid__in=scope.team_grids(user), done_at__isnull=True)
        .select_related("task", "grid")
        .order_by("task__due_at", "-task__created_at")
    )


def visible_tasks(user):
    if scope.is_admin(user):
        return CentreTask.objects.all()
    if user.has_role(*scope.COMMUNITY):
        return CentreTask.objects.filter(
            Q(created_by=user)
            | Q(pk__in=TaskReply.objects.filter(scope.grid_filter(user)).values("task"))
        )
    return CentreTask.objects.filter(
        pk__in=TaskReply.objects.filter(grid__in=scope.team_grids(user)).values("task")
    )


def progress(task: CentreTask) -> dict:
    replies = list(task.replies.select_related("grid", "done_by").prefetch_related("photos"))
    done = sum(1 for r in replies if r.done_at)
    return {"replies": replies, "done": done, "total": len(replies)}


# --- co-governance -------------------------------------------------------------------


def hold_council(
    grid: Region,
    *,
    actor: User,
    topic: str,
    meeting_on: date,
    decision: str = "",
    attendance: int = 0,
    tasks: list[str] = (),  # type: ignore[assignment]
) -> Council:
    """Record a grid council (网格议事会) and the follow-up tasks of its decision."""
    _require_seen(actor, grid)
    topic = _text(topic, "topic", required=True, limit=200)
    decision = _text(decision, "decision")
    if attendance < 0 or attendance > 10000:
        raise InvalidAction(_("Give the number of residents present."), "attendance")
    texts = [t.strip() for t in tasks if t and t.strip()]
    if any(len(t) > 200 for t in texts):
        raise InvalidAction(_("At most %(n)d characters.") % {"n": 200}, "tasks")
    with transaction.atomic():
        council = Council.objects.create(
            grid=grid,
            topic=topic,
            meeting_on=meeting_on,
            decision=decision,
            attendance=attendance,
            created_by=actor,
        )
        CouncilTask.objects.bulk_create(CouncilTask(council=council, text=t) for t in texts)
    return council


def balance(household: Household) -> int:
    return household.points.aggregate(total=Sum("points"))["total"] or 0


def award(household: Household, *, actor: User, points: int, reason: str) -> PointEntry:
    """Points for a civic act the grid worker confirmed."""
    _require_team(actor, household.grid)
    if not 0 < points <= MAX_POINTS:
        raise InvalidAction(_("Award between 1 and %(n)d points.") % {"n": MAX_POINTS}, "points")
    reason = _text(reason, "reason", required=True, limit=200)
    with transaction.atomic():
        return PointEntry.objects.create(
            household=household, points=points, reason=reason, actor=actor
        )


def redeem(household: Household, reward: Reward, *, actor: User) -> PointEntry:
    """Spend points on a reward. The household and the reward are locked (in that order)
    so two redemptions at once cannot both spend the same points or the last item."""
    _require_seen(actor, household.grid)
    with transaction.atomic():
        Household.objects.select_for_update().get(pk=household.pk)
        item = Reward.objects.select_for_update().get(pk=reward.pk)
        if not item.active:
            raise InvalidAction(_("This reward is no longer offered."), "reward")
        if item.stock < 1:
            raise InvalidAction(_("%(reward)s is out of stock.") % {"reward": item.name}, "reward")
        have = balance(household)
        if have < item.points:
            raise InvalidAction(
                _("%(reward)s costs %(cost)d points; the household has %(have)d.")
                % {"reward": item.name, "cost": item.points, "have": have},
                "reward",
            )
        Reward.objects.filter(pk=item.pk).update(stock=F("stock") - 1)
        return PointEntry.objects.create(
            household=household,
            points=-item.points,
            reason=_("Redeemed: %(reward)s") % {"reward": item.name},
            reward=item,
            actor=actor,
        )


# --- the community's own pages: roster, grid worker files, council follow-up -----------


def add_member(
    grid: Region, *, actor: User, name: str, role: str, speciality: str = ""
) -> TeamMember:
    """Put a person on a grid's "1 + N + X" roster (the community manages it)."""
    _require_community(actor, grid)
    if role not in TeamRole.values:
        raise InvalidAction(_("Choose a team role."), "role")
    name = _text(name, "name", required=True, limit=50)
    speciality = _text(speciality, "speciality", limit=50)
    with transaction.atomic():
        return TeamMember.objects.create(grid=grid, name=name, role=role, speciality=speciality)


def retire_member(member: TeamMember, *, actor: User) -> TeamMember:
    """Take a person off the roster; the row stays (who served when) but is no longer
    shown."""
    _require_community(actor, member.grid)
    with transaction.atomic():
        if not TeamMember.objects.filter(pk=member.pk, active=True).update(active=False):
            raise InvalidAction(_("%(name)s is no longer on the team.") % {"name": member.name})
    member.active = False
    return member


def visible_workers(user):
    """The grid workers whose files ``user`` reads: those working in a grid of the
    community (or centre) ``user`` serves."""
    from civicgrid.accounts.models import RoleGrant

    workers = User.objects.filter(grants__role=Role.GRID_WORKER, is_active=True)
    if scope.is_admin(user):
        return workers.distinct()
    paths = scope.paths_of(user, scope.COMMUNITY)
    if not paths:
        return User.objects.none()
    covered = Q()
    for path in paths:
        covered |= Q(regions__path__startswith=path)
    grants = RoleGrant.objects.filter(covered, role=Role.GRID_WORKER).values("user_id")
    return workers.filter(pk__in=grants).distinct()


def may_keep_file(actor: User, worker: User) -> bool:
    """The community serving one of the worker's grids keeps their file (not the worker)."""
    if actor.pk == worker.pk:
        return False
    return visible_workers(actor).filter(pk=worker.pk).exists()


def add_record(
    worker: User,
    *,
    actor: User,
    kind: str,
    title: str,
    on: date | None = None,
    score=None,
) -> WorkerRecord:
    """An appointment, a training or an assessment in a grid worker's file."""
    if not may_keep_file(actor, worker):
        raise ActionRefused(_("Only the community or centre keeps a grid worker's file."))
    if kind not in RecordKind.values:
        raise InvalidAction(_("Choose what kind of record this is."), "kind")
    if score is not None and not 0 <= score <= 100:
        raise InvalidAction(_("A score is between 0 and 100."), "score")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise InvalidAction(_("A record cannot be dated in the future."), "on")
    title = _text(title, "title", required=True, limit=200)
    with transaction.atomic():
        return WorkerRecord.objects.create(
            worker=worker, kind=kind, on=on, title=title, score=score, recorded_by=actor
        )


def visit_log(worker: User):
    """The visits a grid worker made, the latest first (the worker's record of visits)."""
    return (
        Visit.objects.filter(worker=worker, visited_on__isnull=False)
        .select_related("household", "grid", "case")
        .order_by("-visited_on", "-pk")
    )


def finish_council_task(task: CouncilTask, *, actor: User, on: date | None = None) -> CouncilTask:
    """A council's follow-up is done (by the grid's team or the community)."""
    _require_seen(actor, task.council.grid)
    on = on or timezone.localdate()
    with transaction.atomic():
        if not CouncilTask.objects.filter(pk=task.pk, done_on__isnull=True).update(done_on=on):
            raise InvalidAction(_("This follow-up is already done."))
    task.done_on = on
    return task


def council_task_to_case(task: CouncilTask, *, actor: User) -> Case:
    """A follow-up that needs a unit becomes a case (the grid worker's report, or the
    community's walk-in intake), once; the case is then followed on the council page."""
    council = task.council
    _require_seen(actor, council.grid)
    channel = Channel.GRID_PATROL if scope.in_team(actor, council.grid) else Channel.WALK_IN
    with transaction.atomic():
        locked = CouncilTask.objects.select_for_update().get(pk=task.pk)
        if locked.case_id is not None or locked.done_on is not None:
            raise InvalidAction(_("This follow-up is already done or already a case."))
        intake = Intake(
            channel=channel,
            title=task.text,
            content=_("Grid council of %(day)s on “%(topic)s”: %(decision)s")
            % {
                "day": council.meeting_on.isoformat(),
                "topic": council.topic,
                "decision": council.decision or "—",
            },
            address=council.grid.name,
        )
        case = register_case(intake, actor=actor)
        CouncilTask.objects.filter(pk=task.pk).update(case=case)
    task.case = case
    return case
