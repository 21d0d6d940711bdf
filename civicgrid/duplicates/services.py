"""Changes around duplicates: a caller joins an open case (+1), or a new case is
registered and merged at once into the case it repeats."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actor import Actor
from civicgrid.cases import events, lifecycle, phones
from civicgrid.cases.lifecycle import Action, ActionRefused, InvalidAction
from civicgrid.cases.models import OPEN_STATUSES, Case, Channel
from civicgrid.cases.scope import visible_cases
from civicgrid.cases.services import Intake, SubmissionKey, phone_hash, register_case_once
from civicgrid.regions.models import Region
from civicgrid.routing.models import Category

from .events import JOIN
from .hotissues import CONTENT_CHARS, HALF_LIFE_DAYS, MAX_BLOCK, WINDOW_DAYS, Issue, Report, issues
from .models import HotIssue, HotIssueCase, HotIssueRefresh, Supporter

# What clustering reads of a case (the content only as far as it is compared).
HOT_FIELDS = (
    "number",
    "title",
    "created_at",
    "status",
    "reporter_phone_hash",
    "category_id",
    "owner_region_id",
    "region_path",
    "lng",
    "lat",
)
# A supporter's name is held to what a reporter's name may be.
MAX_NAME = Case._meta.get_field("reporter_name").max_length


def _phone_digits(phone: str) -> str:
    if not phones.plausible(phone):
        raise InvalidAction(_("Give the caller's phone number to join them to the case."), "phone")
    return phones.digits(phone)


def _case_to_join(case: Case, actor: Actor) -> Case:
    """The case a supporter joins: a merged case's target, and only an open one."""
    if actor is not None and not visible_cases(actor, Case.objects.filter(pk=case.pk)).exists():
        raise ActionRefused(_("This case is outside the regions you are responsible for."))
    if case.merged_into_id is not None:
        case = Case.objects.get(pk=case.merged_into_id)
    if not case.is_open:
        raise InvalidAction(
            _("Case %(number)s is closed; register a new case instead.") % {"number": case.number}
        )
    return case


def join(case: Case, *, phone: str, channel: str, actor: Actor = None, name: str = "") -> Supporter:
    """Count a caller with the same problem on ``case`` (+1) instead of a new case.

    A merged case is joined through the case it was merged into. The same phone joins a
    case once, and its reporter cannot join it. ``actor`` is the staff member recording
    it (None when a citizen joins from the public pages). Writes a public event.
    """
    if channel not in Channel.values:
        raise InvalidAction(_("Unknown channel."), "channel")
    if len(name.strip()) > MAX_NAME:
        raise InvalidAction(
            _("The caller's name may have at most %(max)d characters.") % {"max": MAX_NAME},
            "name",
        )
    key = phone_hash(_phone_digits(phone))
    case = _case_to_join(case, actor)
    if key == case.reporter_phone_hash:
        raise InvalidAction(
            _("This caller reported case %(number)s: no need to join it.")
            % {"number": case.number},
            "phone",
        )
    already = _("This caller has already joined case %(number)s.") % {"number": case.number}
    if Supporter.objects.filter(case=case, phone_hash=key).exists():
        raise InvalidAction(already, "phone")
    contact = Supporter.masked_contact(name, _phone_digits(phone))
    staff = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            supporter = Supporter.objects.create(
                case=case, channel=channel, phone_hash=key, contact=contact, created_by=staff
            )
            events.record(case, JOIN, actor=staff, data={"channel": channel})
    except IntegrityError as exc:  # the same caller, at the same moment, elsewhere
        raise InvalidAction(already, "phone") from exc
    return supporter


def register_duplicate(
    intake: Intake, *, into: Case | str, actor: Actor, files=(), key: SubmissionKey | None = None
) -> Case:
    """Register the new report and merge it into ``into`` at once, all or nothing.

    Its reporter is called back when ``into`` is (see ``cases.action_rules.close_merged``).
    Sent again under the same ``key`` (a double click), the case the first one made.
    """
    with transaction.atomic():
        registered = register_case_once(intake, actor=actor, files=files, key=key)
        if not registered.replayed:
            lifecycle.apply(registered.case, Action.MERGE, actor=actor, into=into)
    return registered.case


# --- hot issues --------------------------------------------------------------------


def _category_roots() -> dict[int, int]:
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    roots = {}
    for pk in parents:
        root = pk
        while parents.get(root):
            root = parents[root]
        roots[pk] = root
    return roots


def _block(case: Case, roots: dict[int, int]) -> tuple:
    """Cases are clustered with those of the same first-level category and street."""
    return _block_of((case.category_id, case.region_path, case.owner_region_id), roots)


def _block_of(row: tuple, roots: dict[int, int]) -> tuple:
    """The block of a case read as ``(category_id, region_path, owner_region_id)``."""
    category_id, region_path, owner_region_id = row
    codes = [c for c in region_path.split("/") if c]
    place = ("street", codes[2]) if len(codes) >= 3 else ("centre", owner_region_id)
    return (roots.get(category_id), *place)


def block_key(block: tuple) -> str:
    """A block as stored on its issues: ``root:street:code`` or ``root:centre:id``."""
    return ":".join("" if part is None else str(part) for part in block)


def _reports(cases: list[Case], roots: dict[int, int]) -> list[Report]:
    backing: dict[int, list] = defaultdict(list)
    supporters = Supporter.objects.filter(case__in=[c.pk for c in cases])
    for case_id, at in supporters.values_list("case_id", "created_at"):
        backing[case_id].append(at)
    return [
        Report(
            key=c.number,
            title=c.title,
            content=getattr(c, "opening", ""),  # annotated by _with_text
            at=c.created_at,
            person=c.reporter_phone_hash,
            block=_block(c, roots),
            lng=c.lng,
            lat=c.lat,
            supporter_times=backing[c.pk],
        )
        for c in cases
    ]


def _with_text(cases):
    return cases.annotate(opening=Substr("content", 1, CONTENT_CHARS)).only(*HOT_FIELDS)


def recent_reports(now, days: int) -> tuple[list[Report], dict[str, Case]]:
    """The cases created in the last ``days`` days as reports, with their supporters."""
    cases = list(
        _with_text(
            Case.objects.filter(created_at__gte=now - timedelta(days=days), created_at__lte=now)
        ).order_by("created_at", "id")
    )
    return _reports(cases, _category_roots()), {c.number: c for c in cases}


def _common_region(cases: list[Case]) -> str:
    """The code of the smallest region holding every case (its grid paths' common prefix)."""
    paths = [[c for c in case.region_path.split("/") if c] for case in cases if case.region_path]
    if not paths:
        return ""
    common = []
    for codes in zip(*paths, strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    return common[-1] if common else ""


def _hot_issue(issue: Issue, by_number: dict[str, Case], regions: dict, roots, now) -> HotIssue:
    cases = [by_number[r.key] for r in issue.members]
    placed = [c for c in cases if c.lng is not None and c.lat is not None]
    first = cases[0]
    # Unplaced cases have no grid path: the issue belongs to their centre.
    region = regions.get(_common_region(cases)) or regions.get(first.owner_region_id)
    return HotIssue(
        key=first.number,
        title=issue.representative.title[:200],
        representative=by_number[issue.representative.key],
        category_id=roots.get(first.category_id),
        region=region,
        region_path=region.path if region else "",
        reports=len(cases),
        reporters=issue.reporters,
        supporters=issue.supporters,
        open_cases=sum(c.is_open for c in cases),
        reports_this_week=issue.this_week,
        reports_last_week=issue.last_week,
        heat=round(issue.heat, 3),
        lng=sum(c.lng for c in placed) / len(placed) if placed else None,
        lat=sum(c.lat for c in placed) / len(placed) if placed else None,
        first_seen=first.created_at,
        last_seen=cases[-1].created_at,
        computed_at=now,
    )


def _regions_of(found: list[Issue], by_number: dict[str, Case]) -> dict:
    """The regions the issues belong to, by code and by id, in two queries."""
    codes, owners = set(), set()
    for issue in found:
        cases = [by_number[r.key] for r in issue.members]
        codes.add(_common_region(cases))
        owners.add(cases[0].owner_region_id)
    light = Region.objects.defer("boundary")
    return {**light.in_bulk(codes - {""}, field_name="code"), **light.in_bulk(owners - {None})}


# A refresh remembers which of the last this many case and supporter ids below its
# watermark had no row, and reads them next time: a row whose transaction committed after
# a later one was read still counts (the rollup re-reads such a range too).
REWIND = 500
# Heat is stored as at the last refresh; the issues not clustered again are decayed to
# the new moment when at least this much time passed (less changes no figure shown).
DECAY_AFTER = timedelta(minutes=1)


@dataclass
class Refreshed:
    """What one refresh did; the issues are then in ``HotIssue``."""

    full: bool
    new_cases: int
    blocks_refreshed: int
    capped_reports: int
    capped_blocks: int
    issues: list[HotIssue]


def refresh_hot_issues(*, days: int = WINDOW_DAYS, now=None, full: bool = False) -> list[HotIssue]:
    """Bring the hot issues up to date; every hot issue, hottest first.

    Incremental: only the blocks (first-level category × street) that received a case or
    a supporter since the last run, or lost a case to the window's end, are clustered
    again; the other issues keep their cases, their heat is decayed to ``now`` and their
    weekly and open counts are recounted in SQL. The first run, a run with another
    ``days`` and ``full=True`` cluster every block. See ``refresh`` for the figures.
    """
    return refresh(days=days, now=now, full=full).issues


def refresh(*, days: int = WINDOW_DAYS, now=None, full: bool = False) -> Refreshed:
    """``refresh_hot_issues`` with what it did: new cases read, blocks clustered again,
    reports left out of crowded blocks (never silently: stored on ``HotIssueRefresh``).

    Safe while the site serves and from overlapping cron runs: a run holds the watermark
    row's lock, and a reader sees a block's issues before or after, never half.
    """
    now = now or timezone.now()
    HotIssueRefresh.objects.get_or_create(pk=1)
    with transaction.atomic():
        state = HotIssueRefresh.objects.select_for_update().get(pk=1)
        full = full or state.computed_at is None or state.days != days
        roots = _category_roots()
        since = now - timedelta(days=days)
        top_case = Case.objects.aggregate(top=Max("id"))["top"] or 0
        top_supporter = Supporter.objects.aggregate(top=Max("id"))["top"] or 0
        new_cases = 0
        if full:
            dirty = None
        else:
            dirty, new_cases = _changed_blocks(state, top_case, top_supporter, since, roots)
        chosen, capped = _block_members(since, now, dirty, roots)
        if dirty is None:
            HotIssue.objects.all().delete()
        else:
            _carry_forward(state, dirty, now)
        for key, ids in chosen.items():
            _recluster_block(key, ids, roots, now)
        if dirty:  # blocks with no case left in the window
            HotIssue.objects.filter(block__in=dirty - chosen.keys()).delete()
        state.last_case_id = top_case
        state.last_supporter_id = top_supporter
        state.holes = {
            "cases": _holes(Case, top_case),
            "supporters": _holes(Supporter, top_supporter),
        }
        state.days = days
        state.computed_at = now
        state.blocks_refreshed = len(chosen)
        if dirty is None:
            state.capped = capped
        else:
            state.capped = {k: n for k, n in state.capped.items() if k not in dirty} | capped
        state.save()
    return Refreshed(
        full=full,
        new_cases=new_cases,
        blocks_refreshed=len(chosen),
        capped_reports=state.capped_reports,
        capped_blocks=state.capped_blocks,
        issues=list(HotIssue.objects.order_by("-heat", "key")),
    )


def _changed_blocks(state, top_case, top_supporter, since, roots) -> tuple[set[str], int]:
    """The blocks to cluster again: new cases or supporters, or a case past the window."""
    light = ("category_id", "region_path", "owner_region_id")
    holes = state.holes or {}
    new = Case.objects.filter(
        Q(pk__gt=state.last_case_id, pk__lte=top_case) | Q(pk__in=holes.get("cases", [])),
        created_at__gte=since,
    )
    dirty = {block_key(_block_of(row, roots)) for row in new.values_list(*light)}
    joined = Supporter.objects.filter(
        Q(pk__gt=state.last_supporter_id, pk__lte=top_supporter)
        | Q(pk__in=holes.get("supporters", []))
    ).values("case_id")
    dirty |= {
        block_key(_block_of(row, roots))
        for row in Case.objects.filter(pk__in=joined).values_list(*light)
    }
    aged = HotIssueCase.objects.filter(case__created_at__lt=since).values("hot_issue_id")
    dirty |= set(HotIssue.objects.filter(pk__in=aged).values_list("block", flat=True))
    return dirty, new.count()


def _holes(model, top: int) -> list[int]:
    """The ids among the last ``REWIND`` below ``top`` with no row (yet)."""
    low = max(top - REWIND, 0)
    present = set(model.objects.filter(pk__gt=low, pk__lte=top).values_list("pk", flat=True))
    return [pk for pk in range(low + 1, top + 1) if pk not in present]


def _block_members(since, now, dirty, roots) -> tuple[dict[str, list[int]], dict[str, int]]:
    """The newest ``MAX_BLOCK`` case ids of each block to cluster (all blocks when
    ``dirty`` is None), read in one pass over the window's light columns; and how many
    older reports each crowded block leaves out."""
    chosen: dict[str, list[int]] = defaultdict(list)
    capped: dict[str, int] = defaultdict(int)
    window = Case.objects.filter(created_at__gte=since, created_at__lte=now).order_by(
        "-created_at", "-id"
    )
    rows = window.values_list("id", "category_id", "region_path", "owner_region_id")
    for pk, *place in rows.iterator(chunk_size=10_000):
        key = block_key(_block_of(tuple(place), roots))
        if dirty is not None and key not in dirty:
            continue
        if len(chosen[key]) < MAX_BLOCK:
            chosen[key].append(pk)
        else:
            capped[key] += 1
    return dict(chosen), dict(capped)


def _carry_forward(state, dirty: set[str], now) -> None:
    """The issues not clustered again, brought to ``now``: heat decayed (every person's
    weight halves alike), this week's, last week's and the open cases recounted."""
    kept = HotIssue.objects.exclude(block__in=dirty)
    if state.computed_at and now - state.computed_at >= DECAY_AFTER:
        age = (now - state.computed_at).total_seconds() / 86400
        kept.update(heat=F("heat") * 0.5 ** (age / HALF_LIFE_DAYS), computed_at=now)
    week = timedelta(days=7)
    members = HotIssueCase.objects.filter(hot_issue=OuterRef("pk")).order_by()

    def counted(**lookups):
        cases = members.filter(**lookups).values("hot_issue").annotate(n=Count("id"))
        return Coalesce(Subquery(cases.values("n")[:1]), 0)

    kept.update(
        open_cases=counted(case__status__in=list(OPEN_STATUSES)),
        reports_this_week=counted(case__created_at__gt=now - week, case__created_at__lte=now),
        reports_last_week=counted(
            case__created_at__gt=now - 2 * week, case__created_at__lte=now - week
        ),
    )


def _recluster_block(key: str, ids: list[int], roots, now) -> None:
    """Cluster one block's cases again and put its issues in place of the old ones."""
    cases = list(_with_text(Case.objects.filter(pk__in=ids)).order_by("created_at", "id"))
    by_number = {c.number: c for c in cases}
    found = issues(_reports(cases, roots), now)
    regions = _regions_of(found, by_number)
    rows = [_hot_issue(issue, by_number, regions, roots, now) for issue in found]
    for row in rows:
        row.block = key
    # A case moved to another block (its category or place corrected) may still lead an
    # issue there under the same key until that block is clustered again.
    HotIssue.objects.filter(Q(block=key) | Q(key__in=[r.key for r in rows])).delete()
    HotIssue.objects.bulk_create(rows)
    HotIssueCase.objects.bulk_create(
        HotIssueCase(hot_issue=row, case=by_number[r.key])
        for row, issue in zip(rows, found, strict=True)
        for r in issue.members
    )
