"""Changes around duplicates: a caller joins an open case (+1), or a new case is
registered and merged at once into the case it repeats."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy import sparse

from civicgrid.accounts.actor import Actor
from civicgrid.cases import events, lifecycle, phones
from civicgrid.cases.lifecycle import TRANSITIONS, Action, ActionRefused, InvalidAction
from civicgrid.cases.models import OPEN_STATUSES, Case, CaseEvent, Channel
from civicgrid.cases.scope import visible_cases
from civicgrid.cases.services import Intake, SubmissionKey, phone_hash, register_case_once
from civicgrid.regions.models import Region
from civicgrid.routing.models import Category

from . import fading, frequencies
from .events import JOIN
from .hotissues import (
    CLUSTER_THRESHOLD,
    CONTENT_CHARS,
    MAX_BLOCK,
    MIN_PEOPLE,
    RADIUS_M,
    WINDOW_DAYS,
    Idf,
    Issue,
    Report,
    Vectors,
    central,
    dot,
    heat,
    issues,
    joined_terms,
    linked,
    metres_apart,
    people_times,
    vector,
    vectorise,
)
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
        rank=fading.rank(round(issue.heat, 3), now),
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


# Between full runs a new report that is like no issue of its block is held. Held reports
# that (with their supporters) make a group of ``MIN_PEOPLE`` people among themselves
# become a new issue at once; the block is clustered again when this many are held there.
PILE_UP = 200
# A held report at least this share of the threshold like an issue's mean is clustered
# again with that issue's members (``_regroup``).
NEARLY = 0.75


@dataclass
class Refreshed:
    """What one refresh did; the issues are then in ``HotIssue``."""

    full: bool
    new_cases: int
    blocks_refreshed: int
    capped_reports: int
    capped_blocks: int
    issues: QuerySet  # every hot issue, hottest first (read when asked)
    attached: int = 0
    held_reports: int = 0


def refresh_hot_issues(*, days: int = WINDOW_DAYS, now=None, full: bool = False) -> list[HotIssue]:
    """Bring the hot issues up to date; every hot issue, hottest first.

    Between full runs, each new case is compared with the issues of its block (their
    members' mean vector, ``hotissues.likeness_to_issue``) and joins the most alike one
    when average linkage would have joined it; else it is held until its block is
    clustered again. See ``refresh`` for the figures.
    """
    return list(refresh(days=days, now=now, full=full).issues)


def refresh(*, days: int = WINDOW_DAYS, now=None, full: bool = False) -> Refreshed:
    """``refresh_hot_issues`` with what it did: new cases read, joined to an issue or
    held, blocks clustered again, reports left out of crowded blocks (never silently:
    stored on ``HotIssueRefresh`` and shown).

    The first run, a run with another ``days`` and ``full=True`` (nightly) cluster every
    block (first-level category × street). The others attach: the new cases and the
    supporters since the watermark touch only their issues; a block is clustered again
    only when reports like none of its issues pile up there (``PILE_UP``) or form a group
    of their own. The issues left alone are cooled and recounted in SQL.

    Safe while the site serves and from overlapping cron runs: a run holds the watermark
    row's lock, and a reader sees a block's issues before or after, never half.
    """
    now = now or timezone.now()
    HotIssueRefresh.objects.get_or_create(pk=1)
    with transaction.atomic():
        state = HotIssueRefresh.objects.select_for_update().get(pk=1)
        # No document frequencies yet (the first run, or the first since they are kept):
        # count the window.
        full = full or state.computed_at is None or state.days != days or not state.documents
        roots = _category_roots()
        since = now - timedelta(days=days)
        top_case = Case.objects.aggregate(top=Max("id"))["top"] or 0
        top_supporter = Supporter.objects.aggregate(top=Max("id"))["top"] or 0
        idf = None
        if full:
            attach = Attached()
            chosen, capped = _block_members(since, now, None, roots)
            HotIssue.objects.all().delete()
            state.held = {}
            idf = _count_window(state, since, now)
        else:
            attach = _attach(state, top_case, top_supporter, since, now, roots)
            state.held = attach.held
            chosen, capped = (
                _block_members(since, now, attach.recluster, roots)
                if attach.recluster
                else ({}, {})
            )
            _carry_forward(state, now, attach.touched)
        for key, ids in chosen.items():
            _recluster_block(key, ids, roots, now, idf)
            state.held.pop(key, None)
        if attach.recluster:  # blocks with no case left in the window
            HotIssue.objects.filter(block__in=attach.recluster - chosen.keys()).delete()
            for key in attach.recluster:
                state.held.pop(key, None)
        _restate(attach.touched, now, since, roots)
        state.last_case_id = top_case
        state.last_supporter_id = top_supporter
        state.holes = {
            "cases": _holes(Case, top_case),
            "supporters": _holes(Supporter, top_supporter),
        }
        state.days = days
        state.computed_at = now
        state.blocks_refreshed = len(chosen)
        if full:
            state.capped = capped
        else:
            recluster = attach.recluster
            state.capped = {k: n for k, n in state.capped.items() if k not in recluster} | capped
        state.save()
    return Refreshed(
        full=full,
        new_cases=attach.new_cases,
        blocks_refreshed=len(chosen),
        capped_reports=state.capped_reports,
        capped_blocks=state.capped_blocks,
        issues=HotIssue.objects.defer("terms").order_by("-rank", "key"),
        attached=attach.attached,
        held_reports=state.held_reports,
    )


@dataclass
class Attached:
    """What the new cases and supporters since the watermark did to the issues."""

    new_cases: int = 0
    attached: int = 0
    touched: set[int] = field(default_factory=set)  # issues whose members changed
    held: dict[str, list[int]] = field(default_factory=dict)
    recluster: set[str] = field(default_factory=set)


def _since_watermark(model, last: int, top: int, holes: list[int]):
    return model.objects.filter(Q(pk__gt=last, pk__lte=top) | Q(pk__in=holes))


def _attach(state, top_case, top_supporter, since, now, roots) -> Attached:
    """Join each new case to the most alike issue of its block, or hold it; pick the
    blocks to cluster again."""
    holes = state.holes or {}
    done = Attached(held={k: list(v) for k, v in (state.held or {}).items()})
    light = ("id", "category_id", "region_path", "owner_region_id")

    fresh: set[int] = set()  # held on this run

    def hold(pk, place) -> str:
        fresh.add(pk)
        key = block_key(_block_of(tuple(place), roots))
        if pk not in done.held.setdefault(key, []):
            done.held[key].append(pk)
        return key

    # Supporters: their case's issue is recounted; a case in no issue is held.
    joined = _since_watermark(
        Supporter, state.last_supporter_id, top_supporter, holes.get("supporters", [])
    )
    backed = set(joined.values_list("case_id", flat=True))
    in_issue = dict(
        HotIssueCase.objects.filter(case_id__in=backed).values_list("case_id", "hot_issue_id")
    )
    done.touched |= set(in_issue.values())
    changed = set()
    loose = Case.objects.filter(pk__in=backed - in_issue.keys(), created_at__gte=since)
    for pk, *place in loose.values_list(*light):
        changed.add(hold(pk, place))
    # Cases past the window leave their issues: those that left since the last run (its
    # window started at ``before``), found by date.
    before = state.computed_at - timedelta(days=state.days)
    left = Case.objects.filter(created_at__gte=before, created_at__lt=since)
    aged = HotIssueCase.objects.filter(case__in=left.values("pk"))
    aged_links = list(aged.values_list("pk", "hot_issue_id"))
    done.touched |= {issue_id for _pk, issue_id in aged_links}
    HotIssueCase.objects.filter(pk__in=[pk for pk, _issue_id in aged_links]).delete()
    # New cases: join an issue of their block, or are held.
    new = _since_watermark(Case, state.last_case_id, top_case, holes.get("cases", []))
    new = list(
        _with_text(new.filter(created_at__gte=since, created_at__lte=now)).order_by(
            "created_at", "id"
        )
    )
    done.new_cases = len(new)
    reports = _reports(new, roots)
    idf = _count_changes(state, reports, since)
    keys = {block_key(r.block) for r in reports}
    by_block: dict[str, list[HotIssue]] = defaultdict(list)
    for issue in HotIssue.objects.filter(block__in=keys).only(
        "id", "block", "terms", "documents", "reports"
    ):
        by_block[issue.block].append(issue)
    vectors = [vector(report, idf) for report in reports]
    # Each case against its block's issues as they stand; an issue that grows on this run
    # is compared again below. Likeness under ¾ of the threshold decides nothing.
    alike_at_start = _alike(reports, vectors, by_block)
    # The members' places, only of the issues a case may join (in one query; one more for
    # an issue that reaches the threshold by growing on this run).
    positions: dict[int, list[tuple[Any, Any]]] = {}

    def load_positions(ids) -> None:
        ids = [pk for pk in ids if pk not in positions]
        if not ids:
            return
        for pk in ids:
            positions[pk] = []
        members = HotIssueCase.objects.filter(
            hot_issue__in=ids, case__lng__isnull=False, case__lat__isnull=False
        )
        for issue_id, lng, lat in members.values_list("hot_issue_id", "case__lng", "case__lat"):
            positions[issue_id].append((lng, lat))

    load_positions(
        {pk for scores in alike_at_start for pk, a in scores.items() if a >= CLUSTER_THRESHOLD}
    )
    links, grown = [], {}
    near: dict[int, list[int]] = defaultdict(list)  # issue: held reports nearly like it
    for case, report, x, scores in zip(new, reports, vectors, alike_at_start, strict=True):
        key = block_key(report.block)
        best, score = None, CLUSTER_THRESHOLD
        closest, closeness = None, CLUSTER_THRESHOLD * NEARLY
        for issue in by_block[key]:
            alike = dot(x, issue.terms) if issue.pk in grown else scores.get(issue.pk, 0.0)
            if alike >= score:
                load_positions([issue.pk])
                if _near_all(report, positions[issue.pk]):
                    best, score = issue, alike
                    continue
            if alike >= closeness:
                closest, closeness = issue, alike
        if best is None:
            changed.add(hold(case.pk, (case.category_id, case.region_path, case.owner_region_id)))
            if closest is not None:
                near[closest.pk].append(case.pk)
            continue
        best.terms = joined_terms(best.terms, best.reports, x, idf)
        best.reports += 1
        if report.lng is not None and report.lat is not None:
            positions[best.pk].append((report.lng, report.lat))
        links.append(HotIssueCase(hot_issue=best, case=case))
        grown[best.pk] = best
        done.touched.add(best.pk)
        done.attached += 1
    HotIssueCase.objects.bulk_create(links, ignore_conflicts=True)
    _update_rows(list(grown.values()), ["terms"])
    placed = _regroup(near, roots, now, idf.documents)
    for key in list(done.held):
        done.held[key] = [pk for pk in done.held[key] if pk not in placed]
        if not done.held[key]:
            del done.held[key]
    done.recluster = _blocks_to_cluster(done.held, changed, fresh, since, now, roots, idf.documents)
    return done


def _alike(reports, vectors, by_block) -> list[dict[int, float]]:
    """For each report, the issues of its block it is at least ¾ of the threshold alike
    to, with the likeness (``dot`` of each pair, as one sparse product per block)."""
    found: list[dict[int, float]] = [{} for _ in reports]
    rows: dict[str, list[int]] = defaultdict(list)
    for i, report in enumerate(reports):
        rows[block_key(report.block)].append(i)
    for key, mine in rows.items():
        candidates = by_block.get(key, [])
        if not candidates:
            continue
        columns: dict[str, int] = {}
        data, indices, indptr = [], [], [0]
        for issue in candidates:
            for gram, term in issue.terms.items():
                indices.append(columns.setdefault(gram, len(columns)))
                data.append(term[0])
            indptr.append(len(indices))
        terms = sparse.csr_matrix((data, indices, indptr), shape=(len(candidates), len(columns)))
        data, indices, indptr = [], [], [0]
        for i in mine:
            for gram, weight in vectors[i].items():
                column = columns.get(gram)
                if column is not None:
                    indices.append(column)
                    data.append(weight)
            indptr.append(len(indices))
        cases = sparse.csr_matrix((data, indices, indptr), shape=(len(mine), len(columns)))
        likeness = (cases @ terms.T).toarray()
        for n, i in enumerate(mine):
            for j in np.flatnonzero(likeness[n] >= CLUSTER_THRESHOLD * NEARLY - 1e-9):
                found[i][candidates[j].pk] = float(likeness[n, j])
    return found


def _regroup(near: dict[int, list[int]], roots, now, documents: int) -> set[int]:
    """Cluster each issue again with the new reports held nearly like it (its members and
    those reports alone, not the whole block): average linkage may join a report through
    the members it is most like, which the mean alone does not show. Only where such a
    report is linked to a member (``hotissues.linked``: at least the threshold alike to
    one of them) can it join: the other issues are left as they are. The ids placed."""
    placed: set[int] = set()
    members: dict[int, list[int]] = defaultdict(list)
    for issue_id, case_id in HotIssueCase.objects.filter(hot_issue__in=list(near)).values_list(
        "hot_issue_id", "case_id"
    ):
        members[issue_id].append(case_id)
    blocks = dict(HotIssue.objects.filter(pk__in=list(near)).values_list("pk", "block"))
    every = [pk for issue_id in blocks for pk in members[issue_id] + near[issue_id]]
    cases = list(_with_text(Case.objects.filter(pk__in=every)).order_by("created_at", "id"))
    idf = _idf_of(cases, documents)  # one read of the shared table for all of them
    by_id = {c.pk: c for c in cases}
    reports = _reports(cases, roots)
    row = {c.pk: i for i, c in enumerate(cases)}
    vectors = vectorise(reports, idf) if reports else None  # once for every issue
    for issue_id, key in blocks.items():
        ids = set(members[issue_id] + near[issue_id])
        mine = [by_id[pk] for pk in by_id if pk in ids]
        rows = [row[c.pk] for c in mine]
        if vectors is None or not rows:
            continue
        labels = linked(vectors.matrix[rows], [reports[i] for i in rows])
        held_at = {label for c, label in zip(mine, labels, strict=True) if c.pk in near[issue_id]}
        if not any(
            label in held_at
            for c, label in zip(mine, labels, strict=True)
            if c.pk not in near[issue_id]
        ):
            continue
        HotIssue.objects.filter(pk=issue_id).delete()
        placed |= _store_issues(
            key, mine, roots, now, replace=False, idf=idf, vectors=vectors.rows(rows)
        )
    return placed & {pk for ids in near.values() for pk in ids}


def _idf_of(cases: list[Case], documents: int) -> Idf:
    """The shared IDF for the n-grams of ``cases`` (read with ``_with_text``)."""
    texts = [
        Report(key="", title=c.title, content=getattr(c, "opening", ""), at=c.created_at)
        for c in cases
    ]
    return frequencies.idf(texts, documents)


def _near_all(report: Report, positions: list[tuple[Any, Any]]) -> bool:
    """Within ``RADIUS_M`` of every placed member (the clustering never joins farther)."""
    if report.lng is None or report.lat is None:
        return True
    here = (report.lng, report.lat)
    return all(metres_apart(here, there) <= RADIUS_M for there in positions)


def _blocks_to_cluster(
    held, changed: set[str], fresh: set[int], since, now, roots, documents: int
) -> set[str]:
    """The blocks whose held reports pile up (to cluster again). Held reports that make a
    hot issue among themselves become that issue at once; the block is left as it is.

    Only the groups that hold a report held on this run are looked for (the others were
    not hot on an earlier run): the held reports linked to one (``hotissues.linked``),
    clustered alone, when they have ``MIN_PEOPLE`` people among them."""
    chosen = {key for key in changed if len(held.get(key, ())) >= PILE_UP}
    ids = [pk for key in changed - chosen for pk in held.get(key, ())]
    cases = list(_with_text(Case.objects.filter(pk__in=ids)).order_by("created_at", "id"))
    in_window = {c.pk for c in cases if since <= c.created_at <= now}
    cases = [c for c in cases if c.pk in in_window]
    reports = _reports(cases, roots)
    grouped: dict[str, list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        grouped[block_key(_block(case, roots))].append(i)
    groups = {
        k: g for k, g in grouped.items() if k not in chosen and any(cases[i].pk in fresh for i in g)
    }
    idf = _idf_of([cases[i] for g in groups.values() for i in g], documents)
    order = [i for g in groups.values() for i in g]
    at = {i: n for n, i in enumerate(order)}
    # Vectorised once for every block.
    vectors = vectorise([reports[i] for i in order], idf) if order else None
    placed: set[int] = set()
    for key, group in groups.items():
        if vectors is None:
            break
        labels = linked(vectors.matrix[[at[i] for i in group]], [reports[i] for i in group])
        parts: dict[int, list[int]] = defaultdict(list)
        for i, label in zip(group, labels, strict=True):
            parts[int(label)].append(i)
        for part in parts.values():
            members = [reports[i] for i in part]
            people = len(people_times(members)) + sum(len(r.supporter_times) for r in members)
            if people < MIN_PEOPLE or not any(cases[i].pk in fresh for i in part):
                continue
            placed |= _store_issues(
                key,
                [cases[i] for i in part],
                roots,
                now,
                replace=False,
                idf=idf,
                vectors=vectors.rows([at[i] for i in part]),
            )
    for key in changed:  # reports that left the window or made an issue are no longer held
        held[key] = [
            pk
            for pk in held.get(key, ())
            if key in chosen or (pk in in_window and pk not in placed)
        ]
        if not held[key]:
            del held[key]
    return chosen


def _restate(ids: set[int], now, since, roots) -> None:
    """Recount the issues whose members changed from their members (people, heat, weeks,
    place); an issue left with fewer than ``MIN_PEOPLE`` people is no longer hot."""
    rows = {h.pk: h for h in HotIssue.objects.filter(pk__in=ids)}
    if not rows:
        return
    member_ids: dict[int, list[int]] = defaultdict(list)
    for issue_id, case_id in HotIssueCase.objects.filter(hot_issue__in=rows).values_list(
        "hot_issue_id", "case_id"
    ):
        member_ids[issue_id].append(case_id)
    every = [pk for pks in member_ids.values() for pk in pks]
    cases = list(_with_text(Case.objects.filter(pk__in=every)).order_by("created_at", "id"))
    by_id = {c.pk: c for c in cases}
    by_number = {c.number: c for c in cases}
    reports = dict(zip((c.pk for c in cases), _reports(cases, roots), strict=True))
    week = timedelta(days=7)
    found: list[tuple[HotIssue, Issue]] = []
    gone = []
    for pk, row in rows.items():
        members = sorted(
            (reports[i] for i in member_ids.get(pk, ()) if i in by_id), key=lambda r: r.at
        )
        reporters = len(people_times(members))
        supporters = sum(len(r.supporter_times) for r in members)
        if reporters + supporters < MIN_PEOPLE:
            gone.append(pk)
            continue
        keep = [
            r
            for r in members
            if by_id.get(row.representative_id) and r.key == by_id[row.representative_id].number
        ]
        found.append(
            (
                row,
                Issue(
                    members=members,
                    representative=keep[0] if keep else central(members),
                    reporters=reporters,
                    supporters=supporters,
                    heat=heat(members, now),
                    this_week=sum(now - week < r.at <= now for r in members),
                    last_week=sum(now - 2 * week < r.at <= now - week for r in members),
                ),
            )
        )
    HotIssue.objects.filter(pk__in=gone).delete()
    regions = _regions_of([issue for _row, issue in found], by_number)
    fields = [
        "key",
        "title",
        "representative",
        "category",
        "region",
        "region_path",
        "reports",
        "reporters",
        "supporters",
        "open_cases",
        "reports_this_week",
        "reports_last_week",
        "heat",
        "rank",
        "lng",
        "lat",
        "first_seen",
        "last_seen",
        "computed_at",
    ]
    updated = []
    for row, issue in found:
        fresh = _hot_issue(issue, by_number, regions, roots, now)
        for name in fields:
            setattr(row, name, getattr(fresh, name))
        updated.append(row)
    _update_rows(updated, fields)


def _update_rows(rows: list[HotIssue], fields: list[str]) -> None:
    """``bulk_update`` of ``fields``; on PostgreSQL one ``UPDATE … FROM unnest`` (Django's
    ``CASE WHEN`` per row and field cost seconds for a few hundred issues)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        HotIssue.objects.bulk_update(rows, fields, batch_size=500)
        return
    by_name = {field.name: field for field in HotIssue._meta.concrete_fields}
    columns = [by_name["id"], *(by_name[name] for name in fields)]
    arrays = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for row in rows]
        for field in columns
    ]
    quoted = [connection.ops.quote_name(str(field.column)) for field in columns]
    unnest = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
    sets = ", ".join(f"{name} = v.{name}" for name in quoted[1:])
    table = HotIssue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM unnest({unnest}) AS v({', '.join(quoted)}) "  # noqa: S608
            f"WHERE {table}.{quoted[0]} = v.{quoted[0]}",
            arrays,
        )


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


# Status changes that open or close a case (``lifecycle.TRANSITIONS``): what can change an
# issue's open cases between runs. Their events are read from this long before the last
# run, for a transaction that committed after it.
OPENING_OR_CLOSING = sorted(
    {
        action
        for (old, action), new in TRANSITIONS.items()
        if (old in OPEN_STATUSES) != (new in OPEN_STATUSES)
    }
)
LATE_COMMIT = timedelta(minutes=10)


def _carry_forward(state, now, skip: set[int]) -> None:
    """The issues whose figures moved since the last run without a new member: a member
    crossed the 7- or 14-day line (this week's and last week's reports), or was closed
    or opened again (open cases, from its events). Only those are recounted, writing only
    the issues whose figures changed; ``skip``: issues restated after this anyway. The
    heat is not touched: it fades at read time (``HotIssue.heat_now``, ``fading``)."""
    if state.computed_at is None:
        return
    week = timedelta(days=7)
    last = state.computed_at
    crossed = Q()
    for days in (week, 2 * week):
        if now - days > last - days:
            crossed |= Q(created_at__gt=last - days, created_at__lte=now - days)
    cases = Case.objects.filter(crossed) if crossed else Case.objects.none()
    moved = CaseEvent.objects.filter(
        action__in=OPENING_OR_CLOSING, at__gte=last - LATE_COMMIT, at__lte=now
    )
    ids = (
        set(
            HotIssueCase.objects.filter(
                Q(case__in=cases.values("pk")) | Q(case__in=moved.values("case_id"))
            ).values_list("hot_issue_id", flat=True)
        )
        - skip
    )
    if not ids:
        return
    statuses = sorted(OPEN_STATUSES)
    counted = (
        HotIssueCase.objects.filter(hot_issue_id__in=ids)
        .values("hot_issue_id")
        .annotate(
            open_n=Count("pk", filter=Q(case__status__in=statuses)),
            this_week=Count(
                "pk", filter=Q(case__created_at__gt=now - week, case__created_at__lte=now)
            ),
            last_week=Count(
                "pk",
                filter=Q(case__created_at__gt=now - 2 * week, case__created_at__lte=now - week),
            ),
        )
    )
    figures = {r["hot_issue_id"]: (r["open_n"], r["this_week"], r["last_week"]) for r in counted}
    changed = []
    for issue in HotIssue.objects.filter(pk__in=ids).only(
        "id", "open_cases", "reports_this_week", "reports_last_week"
    ):
        new = figures.get(issue.pk, (0, 0, 0))
        if new != (issue.open_cases, issue.reports_this_week, issue.reports_last_week):
            issue.open_cases, issue.reports_this_week, issue.reports_last_week = new
            changed.append(issue)
    HotIssue.objects.bulk_update(
        changed, ["open_cases", "reports_this_week", "reports_last_week"], batch_size=1000
    )


def _texts(cases) -> Iterator[Report]:
    """The window's cases as reports to count n-grams of (text only), streamed."""
    rows = _with_text(cases).values_list("title", "opening").order_by()
    for title, opening in rows.iterator(chunk_size=5000):
        yield Report(key="", title=title, content=opening or "", at=None)  # type: ignore[arg-type]


def _count_window(state, since, now) -> Idf:
    """Count the document frequencies of the whole window again (a full refresh)."""
    counts, n = frequencies.counted(
        _texts(Case.objects.filter(created_at__gte=since, created_at__lte=now))
    )
    frequencies.rebuild(counts)
    state.documents = n
    return Idf(n, dict(counts))


def _count_changes(state, new: list[Report], since) -> Idf:
    """Add the new reports to the document frequencies and take away the cases that left
    the window since the last run; the IDF of the new reports' n-grams."""
    before = state.computed_at - timedelta(days=state.days)
    left = Case.objects.filter(
        created_at__gte=before, created_at__lt=since, pk__lte=state.last_case_id
    )
    gone, n_gone = frequencies.counted(_texts(left))
    delta, n_new = frequencies.counted(new)
    delta.subtract(gone)
    frequencies.add(delta)
    state.documents = max(state.documents + n_new - n_gone, 0)
    # Saved at once: a block clustered on this run reads it (see ``_store_issues``).
    HotIssueRefresh.objects.filter(pk=state.pk).update(documents=state.documents)
    return frequencies.idf(new, state.documents)


def _recluster_block(key: str, ids: list[int], roots, now, idf: Idf | None = None) -> None:
    """Cluster one block's cases again and put its issues in place of the old ones."""
    cases = list(_with_text(Case.objects.filter(pk__in=ids)).order_by("created_at", "id"))
    _store_issues(key, cases, roots, now, replace=True, idf=idf)


def _store_issues(
    key: str,
    cases: list[Case],
    roots,
    now,
    *,
    replace: bool,
    idf: Idf | None = None,
    vectors: Vectors | None = None,
) -> set[int]:
    """Cluster ``cases`` (of block ``key``) and store the hot issues found, in place of
    the block's issues when ``replace``, beside them otherwise; their cases' ids. ``idf``:
    the window's (read from ``HotIssueGram`` when not given)."""
    by_number = {c.number: c for c in cases}
    reports = _reports(cases, roots)
    if idf is None:
        idf = frequencies.idf(reports, HotIssueRefresh.objects.get(pk=1).documents)
    found = issues(reports, now, idf=idf, vectors=vectors)
    if not found and not replace:
        return set()
    regions = _regions_of(found, by_number)
    rows = [_hot_issue(issue, by_number, regions, roots, now) for issue in found]
    for row, issue in zip(rows, found, strict=True):
        row.block = key
        row.terms = issue.terms
        row.documents = issue.documents
    # A case moved to another block (its category or place corrected) may still lead an
    # issue there under the same key until that block is clustered again.
    stale = Q(key__in=[r.key for r in rows]) | (Q(block=key) if replace else Q(pk__in=[]))
    HotIssue.objects.filter(stale).delete()
    HotIssue.objects.bulk_create(rows)
    HotIssueCase.objects.bulk_create(
        HotIssueCase(hot_issue=row, case=by_number[r.key])
        for row, issue in zip(rows, found, strict=True)
        for r in issue.members
    )
    return {by_number[r.key].pk for issue in found for r in issue.members}
