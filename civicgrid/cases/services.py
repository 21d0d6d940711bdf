"""Changes to cases other than status moves: intake, attachments, contact reveal, overdue."""

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Integration, Role, User
from civicgrid.core.models import PersonalDataRead
from civicgrid.regions.locator import Location, locate
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Category, RequestType, Urgency

from . import attachments, centres, events, lifecycle, numbers, phones, writing
from .lifecycle import Action, InvalidAction
from .models import (
    OPEN_STATUSES,
    OVERDUE_UNMARKED,
    Attachment,
    Case,
    CaseEvent,
    Channel,
    IntakeKey,
)
from .scope import ScopeRule, refusal_for

logger = logging.getLogger(__name__)

# Test only (settings.CIVICGRID_TEST_STALL_INTAKE, read once at start-up, 0 = off): the
# seconds every intake waits inside its transaction, all rows written, before the commit.
STALL_INTAKE: float = settings.CIVICGRID_TEST_STALL_INTAKE


@dataclass
class Intake:
    """What intake needs to register a case, already parsed from a form or the API."""

    channel: str
    title: str
    content: str
    category: Category | None = None
    request_type: str = RequestType.HELP
    urgency: str = ""
    lng: float | None = None
    lat: float | None = None
    datum: str = "wgs84"
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    extra: dict | None = None


def phone_hash(phone: str) -> str:
    """A keyed hash, so earlier cases of a caller are found without reading phones."""
    number = phones.digits(phone)
    if not number:
        return ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{number}".encode()).hexdigest()


def next_number(day: date) -> str:
    """Next human-readable number of ``day`` (20261122-00001); see ``numbers``."""
    return numbers.next_number(day)


def validate_intake(intake: Intake) -> dict:
    """Field errors of an intake, keyed by field name (empty when valid)."""
    errors: dict[str, str] = {}
    if not intake.title.strip():
        errors["title"] = _("Give the case a short title.")
    elif len(intake.title) > 200:
        errors["title"] = _("The title is longer than 200 characters.")
    if not intake.content.strip():
        errors["content"] = _("Describe the problem.")
    if intake.channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if intake.request_type not in RequestType.values:
        errors["request_type"] = _("Unknown request type.")
    if intake.urgency and intake.urgency not in Urgency.values:
        errors["urgency"] = _("Unknown urgency.")
    if (intake.lng is None) != (intake.lat is None):
        errors["lng"] = _("Give both longitude and latitude, or neither.")
    category = intake.category
    if category is not None:
        if not category.allows(intake.request_type):
            errors["request_type"] = _("This category does not take that request type.")
        for spec in category.extra_fields:
            if spec.get("required") and not (intake.extra or {}).get(spec.get("name")):
                errors[f"extra.{spec.get('name')}"] = _(
                    "%(label)s is required for this category."
                ) % {"label": spec.get("label") or spec.get("name")}
    if intake.reporter_phone and not phones.plausible(intake.reporter_phone):
        errors["reporter_phone"] = _("This does not look like a phone number.")
    return errors


def position_fields(location: Location | None, category=None, channel: str = "") -> dict:
    """Case columns for a resolved position (or for none): where it lies, and the
    centre it starts at (``centres.starting_centre``: the lowest one able to handle it,
    unless its category's starting level says otherwise)."""
    if location is None:
        return {"grid": None, "region_path": "", "needs_placement": True}
    fields: dict[str, Any] = {
        "lng": location.lng,
        "lat": location.lat,
        "needs_placement": location.grid is None,
    }
    if location.grid is not None:
        start = centres.starting_centre(location.grid, category, channel)
        owner = start.centre or location.district
        fields.update(grid=location.grid, region_path=location.grid.path, owner_region=owner)
        if start.unit is not None:
            fields["_unit"] = start.unit
    else:
        fields.update(grid=None, region_path="")
    return fields


def default_centre(actor: Actor) -> Region | None:
    """Where an unplaced case is triaged: the actor's own centre, else the first district."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        region = Region.objects.filter(grants__user=actor).order_by("path").first()
        if region is not None:
            return region
    return Region.objects.filter(level=Level.DISTRICT).order_by("code").first()


@dataclass(frozen=True)
class SubmissionKey:
    """An idempotency key and who sent it (``user:<id>`` or a client system's name)."""

    owner: str
    key: str

    @classmethod
    def for_user(cls, user, key: str) -> "SubmissionKey | None":
        key = (key or "").strip()
        return cls(f"user:{user.pk}", key) if key else None

    def problem(self) -> str | None:
        if not KEY_PATTERN.fullmatch(self.key):
            return _("An idempotency key is 8 to 64 letters, digits, dashes or underscores.")
        return None

    def earlier_case(self) -> Case | None:
        row = IntakeKey.objects.filter(owner=self.owner, key=self.key).select_related("case")
        found = row.first()
        return None if found is None else found.case


KEY_PATTERN = re.compile(r"[A-Za-z0-9_\-:.]{8,64}")


# The one channel each kind of integration account registers through: its own door.
DOOR_OF_INTEGRATION: dict[str, str] = {
    Integration.POLICE_110: Channel.POLICE_DIVERSION,
    Integration.OPEN311: Channel.OPEN311,
}


def registering_roles(actor: Actor, channel: str) -> tuple[str, ...]:
    """The roles that may register a case arriving on ``channel``: the lifecycle's, plus
    an integration account at its own system's door (and nowhere else)."""
    if actor is not None and actor.is_integration:
        own_door = DOOR_OF_INTEGRATION.get(actor.integration) == channel
        return (Role.INTEGRATION,) if own_door else ()
    return lifecycle.PERMISSIONS[Action.REGISTER][0]


@dataclass(frozen=True)
class Registered:
    """What ``register_case_once`` did: the case, whether the key had already made it,
    and what the door's ``then`` kept with a new case (None on a replay)."""

    case: Case
    replayed: bool
    kept: Any = None


def register_case(intake: Intake, *, actor: Actor, files=()) -> Case:
    """Register a case from any channel, with its files; the first step of the loop.

    A point outside every grid is kept and the case flagged for manual placement.
    Raises ``InvalidAction`` (with ``errors``) on bad input, changing nothing.
    """
    return _register(intake, actor=actor, files=files, key=None).case


def register_case_once(
    intake: Intake,
    *,
    actor: Actor,
    key: SubmissionKey | None,
    files=(),
    then: Callable[[Case], Model] | None = None,
) -> Registered:
    """``register_case`` for a door that may send the same report again.

    A report sent again under the same ``key`` (a retry after a lost connection, or
    after the server died mid-request) gives the case the first one made, ``replayed``,
    instead of registering a second one; two copies racing make one case (the key's
    unique constraint decides). Without a key (the caller sent none), every report
    registers a case.

    ``then(case)`` gives the door's own row of the case (Open311's request), unsaved,
    pointing at the case; it is written with the case, in the same statement or
    transaction, so a crash leaves both or neither. It is ``Registered.kept``, saved.
    """
    return _register(intake, actor=actor, files=files, key=key, then=then)


def _replay(key: SubmissionKey | None) -> Registered | None:
    earlier = key.earlier_case() if key is not None else None
    return None if earlier is None else Registered(earlier, replayed=True)


def _register(
    intake: Intake,
    *,
    actor: Actor,
    files,
    key: SubmissionKey | None,
    then: Callable[[Case], Model] | None = None,
) -> Registered:
    """Check, then write case, event, files, key and the door's row at once: in one
    statement on PostgreSQL (``writing``; with files, in one transaction), in one
    transaction elsewhere.

    A key is not looked up first: a retry is rare, so the new key's row is simply
    inserted with the case and its unique constraint refuses a second one (the whole
    transaction rolls back and the first case is returned). Only a report with files (not
    to store them again) or a refused one looks its key up first, so that a retry of an
    accepted report still gets its case.
    """
    if key is not None and (problem := key.problem()):
        raise InvalidAction(problem, "idempotency_key")
    if files and (replayed := _replay(key)):
        return replayed  # files would be cleaned and stored for nothing
    errors = validate_intake(intake)
    try:
        files = attachments.check_files(files)
    except attachments.FileProblem as problem:
        errors.setdefault("attachments", str(problem))
    location = None
    if not errors and intake.lng is not None:
        try:
            location = locate(float(intake.lng), float(intake.lat), intake.datum)
        except ValueError as exc:
            errors["lng"] = str(exc)
    if errors:
        if replayed := _replay(key):
            return replayed
        error = InvalidAction(next(iter(errors.values())))
        error.errors = errors
        raise error
    now = timezone.now()
    case = Case(
        channel=intake.channel,
        request_type=intake.request_type,
        category=intake.category,
        urgency=intake.urgency
        or (intake.category.default_urgency if intake.category else Urgency.NORMAL),
        title=intake.title.strip(),
        content=intake.content.strip(),
        extra=intake.extra or {},
        address=intake.address.strip(),
        input_datum=intake.datum if intake.lng is not None else "",
        reporter_name=intake.reporter_name.strip(),
        reporter_phone=intake.reporter_phone.strip(),
        reporter_phone_hash=phone_hash(intake.reporter_phone),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )
    unit = None
    for name, value in position_fields(location, intake.category, intake.channel).items():
        if name == "_unit":
            unit = value
        else:
            setattr(case, name, value)
    if case.owner_region_id is None:
        case.owner_region = default_centre(actor)
    reason = refusal_for(actor, case, registering_roles(actor, case.channel), ScopeRule.REGION)
    if reason and actor is not None:
        if replayed := _replay(key):
            return replayed
        raise lifecycle.ActionRefused(reason)
    window = lifecycle.clock_fields(case, case.status, now, {})
    for name, value in window.items():
        setattr(case, name, value)
    day = timezone.localdate(now)
    numbers.prepare(day)
    event = events.build(
        case,
        Action.REGISTER,
        actor=case.created_by,
        from_status="",
        data={
            "channel": case.channel,
            "needs_placement": case.needs_placement,
            **centres.event_data(case.owner_region),
        },
        at=now,
    )
    kept = then(case) if then is not None else None
    rows: list = [event] + ([kept] if kept is not None else [])
    if key is not None:
        # Last, so that a retry racing this one waits on the key's unique index for the
        # shortest time.
        rows.append(IntakeKey(owner=key.owner, key=key.key, case=case, created_at=now))
    try:
        if writing.supported() and not files and not STALL_INTAKE:
            writing.insert_case(
                case, prefix=numbers.prefix(day), sequence=numbers.sequence_name(day), rows=rows
            )
        else:
            with transaction.atomic():
                case.number = numbers.next_number(day)
                case.save(force_insert=True)
                for row in rows:
                    row.save(force_insert=True)
                    if row is event:
                        for uploaded in files:
                            attach(case, uploaded, actor=case.created_by, event=event)
                if STALL_INTAKE:
                    time.sleep(STALL_INTAKE)  # test only: a server killed mid-POST
    except IntegrityError:
        # The same key arrived twice: the other request's case stands.
        if replayed := _replay(key):
            return replayed
        raise
    events.hand_over(event)
    if unit is not None:
        _straight_to(case, unit)
    return Registered(case, replayed=False, kept=kept)


def _straight_to(case: Case, unit) -> None:
    """Dispatch a new case straight to the unit its category's starting level names
    (a utility); if that is refused the case simply waits in the district's queue."""
    try:
        lifecycle.apply(
            case,
            Action.DISPATCH,
            actor=None,
            note=str(_("Straight to the unit its category names.")),
            main_department=unit,
            triage={"straight_to_unit": True},
        )
    except lifecycle.LifecycleError:
        return


def checked_files(files) -> list:
    """``files`` checked and cleaned (``attachments.check_files``), or ``InvalidAction``.

    Cleaning images costs CPU: done before a transaction starts, not inside it.
    """
    try:
        return attachments.check_files(files)
    except attachments.FileProblem as problem:
        raise InvalidAction(str(problem)) from None


def attach(case: Case, uploaded, *, actor: Actor, event: CaseEvent | None = None) -> Attachment:
    """Store one file on a case: an image cleaned, a document as sent, with its real type."""
    (checked,) = checked_files([uploaded])
    return Attachment.objects.create(
        case=case,
        event=event,
        file=checked,
        name=checked.name[:200],
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )


def act(case: Case, action: str, *, actor: Actor, note: str = "", files=(), **data) -> CaseEvent:
    """A lifecycle action with its files, all or nothing.

    A person's callback goes through ``callbacks.call_back``: a call that reached
    nobody is a note and a try scheduled, not a move.
    """
    files = checked_files(files)
    with transaction.atomic():
        if action == Action.CALLBACK and actor is not None:
            from .callbacks import call_back

            event = call_back(case, actor=actor, note=note, **data)
        else:
            event = lifecycle.apply(case, action, actor=actor, note=note, **data)
        for uploaded in files:
            attach(case, uploaded, actor=actor, event=event)
    return event


def add_file(case: Case, uploaded, *, actor: Actor) -> Attachment:
    """Add a file to a case outside any step (evidence found later), with its event.

    Anyone who may see the case may add to it; the timeline shows who added what.
    """
    from .scope import visible_cases

    if not visible_cases(actor, Case.objects.filter(pk=case.pk)).exists():
        raise lifecycle.ActionRefused(
            _("This case is outside the regions you are responsible for.")
        )
    (checked,) = checked_files([uploaded])
    with transaction.atomic():
        event = events.record(
            case, events.Note.ADD_FILE, actor=actor, data={"name": checked.name[:200]}
        )
        return attach(case, checked, actor=actor, event=event)


def reveal_contact(case: Case, *, actor: User, reason: str = "") -> dict:
    """The unmasked contact of a case's reporter; every call is written to the audit log."""
    why = refusal_for(actor, case, lifecycle.CENTRE + ("handler", "grid_worker"), ScopeRule.REGION)
    if why and not (case.main_department_id and case.main_department_id in actor.department_ids):
        raise lifecycle.ActionRefused(why)
    PersonalDataRead.objects.create(
        user=actor, subject=case.number, field="reporter", reason=reason[:200]
    )
    return {"name": case.reporter_name, "phone": case.reporter_phone}


OVERDUE_BATCH = 500


def mark_overdue(now=None) -> int:
    """Mark every open case past its step deadline, once per deadline.

    Idempotent: a case already marked for its current ``due_at`` is skipped, and the
    conditional update in ``lifecycle.apply`` stops two runs marking it twice.
    """
    now = now or timezone.now()
    # Read from the partial index of the cases still to mark, in its order, a batch at a
    # time (keyset on due_at, id): as fast with a million open cases, most of them marked
    # long ago, as with ten. The LIMIT in index order is also what makes PostgreSQL pick
    # that index: it cannot tell how few rows the condition leaves.
    # The batch's keys first, then its rows: the keys alone are an index-only scan of
    # that index, which PostgreSQL prefers to any other; asked for whole rows, it walked
    # the larger open-cases index instead, through every overdue case marked long ago.
    due = Case.objects.filter(OVERDUE_UNMARKED, due_at__lt=now).order_by("due_at", "id")
    rows = Case.objects.select_related("category", "owner_region", "main_department").defer(
        "owner_region__boundary"
    )
    marked = 0
    after = None
    while True:
        page = (
            due
            if after is None
            else due.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], pk__gt=after[1]))
        )
        keys = list(page.values_list("due_at", "id")[:OVERDUE_BATCH])
        loaded = rows.in_bulk([pk for _, pk in keys])
        batch = [loaded[pk] for _, pk in keys if pk in loaded]
        for case in batch:
            try:
                lifecycle.apply(case, Action.MARK_OVERDUE, actor=None)
            except lifecycle.LifecycleError as exc:
                logger.info("skipped %s: %s", case.number, exc)
                continue
            marked += 1
        if len(keys) < OVERDUE_BATCH:
            return marked
        after = keys[-1]


def recompute_deadlines(years=None) -> int:
    """Recompute the deadlines of open cases after the holiday calendar changed.

    Only cases whose current step or handling started or ends in ``years`` (all when None) are
    looked at; each change is written as a non-public event. Returns how many changed.
    """
    query = Case.objects.filter(status__in=OPEN_STATUSES, step_started_at__isnull=False)
    if years:
        years = list(years)
        query = query.filter(
            Q(due_at__year__in=years)
            | Q(handle_due_at__year__in=years)
            | Q(step_started_at__year__in=years)
        )
    changed = 0
    for case in query.select_related("category").iterator(chunk_size=500):
        try:
            changed += recompute_deadline(case) is not None
        except lifecycle.ConcurrentUpdate:
            continue  # changed meanwhile; the move that changed it set its deadlines
    return changed


def recompute_deadline(case: Case) -> CaseEvent | None:
    """Recompute one open case's deadlines from its step start; None when they stand."""
    from civicgrid.routing.models import Step

    from . import deadlines

    fields = {}
    step = deadlines.step_of(case.status, case.rating)
    if case.handle_due_at and step in (Step.ACKNOWLEDGE, Step.HANDLE):
        limit = deadlines.limit_for(case.category, case.urgency, Step.HANDLE)
        due = deadlines.add_limit(case.step_started_at, limit.amount, limit.unit)
        if case.extension_days:
            due = deadlines.add_limit(due, case.extension_days, "working_days")
        fields["handle_due_at"] = due
    fields.update(lifecycle.clock_fields(case, case.status, case.step_started_at, fields))
    if all(getattr(case, k) == v for k, v in fields.items()):
        return None
    data = {
        "old_due_at": case.due_at.isoformat() if case.due_at else None,
        "due_at": fields["due_at"].isoformat() if fields.get("due_at") else None,
    }
    return change_clock(case, fields, events.Note.RECOMPUTE_DEADLINE, actor=None, data=data)


def change_urgency(case: Case, urgency: str, *, actor: Actor, reason: str = "") -> CaseEvent | None:
    """Give ``case`` another urgency outside a move; its step deadline follows.

    The current step keeps its start; its window is measured again with the new
    urgency's time limit. Writes a non-public event; None when the urgency is the same.
    Raises ``ConcurrentUpdate`` when the case changed since it was read.
    """
    if urgency not in Urgency.values:
        raise InvalidAction(_("Unknown urgency."), "urgency")
    if urgency == case.urgency:
        return None
    old = case.urgency
    case.urgency = urgency
    fields = {"urgency": urgency}
    if case.step_started_at is not None:
        fields.update(lifecycle.clock_fields(case, case.status, case.step_started_at, {}))
    case.urgency = old
    data = {"old_urgency": old, "urgency": urgency}
    return change_clock(case, fields, events.Note.CHANGE_URGENCY, actor, data, reason)


def change_clock(case, fields, kind, actor: Actor, data, note="", at=None) -> CaseEvent:
    """Write ``fields`` if ``case`` is still the version read, with the event saying so
    (a note of ``kind``): the conditional update of ``lifecycle.apply`` for a change
    that moves nothing."""
    with transaction.atomic():
        won = Case.objects.filter(pk=case.pk, version=case.version).update(
            version=F("version") + 1, **fields
        )
        if not won:
            raise lifecycle.ConcurrentUpdate(
                _("Someone else changed case %(number)s a moment ago; reload and try again.")
                % {"number": case.number}
            )
        event = events.record(case, kind, actor=actor, note=note, data=data, at=at)
        for name, value in fields.items():
            setattr(case, name, value)
        case.version += 1
    return event


def answer_at_intake(
    intake: Intake, *, answer: str, knowledge_entry=None, actor: Actor, files=()
) -> Case:
    """Register a call and close it at once with the answer given (直接答复), naming
    what it cites (``knowledge_entry``, checked by the source registered in
    ``cases.extensions``). All or nothing: a wrong entry registers no case and keeps no
    file."""
    return answer_at_intake_once(
        intake, answer=answer, knowledge_entry=knowledge_entry, actor=actor, key=None, files=files
    ).case


def answer_at_intake_once(
    intake: Intake,
    *,
    answer: str,
    knowledge_entry=None,
    actor: Actor,
    key: SubmissionKey | None,
    files=(),
) -> Registered:
    """``answer_at_intake`` for a form that may be sent twice: under a ``key`` already
    used, the case the first one made and answered, ``replayed``, untouched."""
    from .extensions import answer_source

    entry = answer_source("knowledge_entry", knowledge_entry)
    with transaction.atomic():
        registered = _register(intake, actor=actor, files=files, key=key)
        if not registered.replayed:
            act(
                registered.case,
                Action.ANSWER_DIRECTLY,
                actor=actor,
                answer=answer,
                knowledge_entry=entry,
            )
    return registered
