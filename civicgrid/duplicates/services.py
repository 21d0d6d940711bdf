"""Changes around duplicates: a caller joins an open case (+1), or a new case is
registered and merged at once into the case it repeats."""

from collections import defaultdict
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actor import Actor
from civicgrid.cases import events, lifecycle, phones
from civicgrid.cases.lifecycle import Action, ActionRefused, InvalidAction
from civicgrid.cases.models import Case, Channel
from civicgrid.cases.scope import visible_cases
from civicgrid.cases.services import Intake, SubmissionKey, phone_hash, register_case_once
from civicgrid.regions.models import Region
from civicgrid.routing.models import Category

from .events import JOIN
from .hotissues import CONTENT_CHARS, WINDOW_DAYS, Issue, Report, issues
from .models import HotIssue, HotIssueCase, Supporter

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
    codes = [c for c in case.region_path.split("/") if c]
    place = ("street", codes[2]) if len(codes) >= 3 else ("centre", case.owner_region_id)
    return (roots.get(case.category_id), *place)


def recent_reports(now, days: int) -> tuple[list[Report], dict[str, Case]]:
    """The cases created in the last ``days`` days as reports, with their supporters."""
    cases = list(
        Case.objects.filter(created_at__gte=now - timedelta(days=days), created_at__lte=now)
        .annotate(opening=Substr("content", 1, CONTENT_CHARS))
        .only(*HOT_FIELDS)
        .order_by("created_at", "id")
    )
    backing: dict[int, list] = defaultdict(list)
    supporters = Supporter.objects.filter(case__in=[c.pk for c in cases])
    for case_id, at in supporters.values_list("case_id", "created_at"):
        backing[case_id].append(at)
    roots = _category_roots()
    reports = [
        Report(
            key=c.number,
            title=c.title,
            content=c.opening,
            at=c.created_at,
            person=c.reporter_phone_hash,
            block=_block(c, roots),
            lng=c.lng,
            lat=c.lat,
            supporter_times=backing[c.pk],
        )
        for c in cases
    ]
    return reports, {c.number: c for c in cases}


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


def refresh_hot_issues(*, days: int = WINDOW_DAYS, now=None) -> list[HotIssue]:
    """Recompute every hot issue from the cases of the last ``days`` days.

    Safe while the site serves: the old issues are replaced by the new ones in one
    transaction, so a reader sees one set or the other. Running it twice on the same
    cases gives the same issues.
    """
    now = now or timezone.now()
    reports, by_number = recent_reports(now, days)
    found = issues(reports, now)
    regions = _regions_of(found, by_number)
    roots = _category_roots()
    rows = [_hot_issue(issue, by_number, regions, roots, now) for issue in found]
    for attempt in (1, 2):
        try:
            _swap(rows, found, by_number)
            break
        except IntegrityError:
            # Another refresh committed the same issues meanwhile (cron runs overlapping):
            # this one's DELETE did not see them. Once more, after theirs.
            if attempt == 2:
                raise
            for row in rows:
                row.pk = None
    return rows


def _swap(rows: list[HotIssue], found: list[Issue], by_number: dict[str, Case]) -> None:
    with transaction.atomic():
        HotIssue.objects.all().delete()
        HotIssue.objects.bulk_create(rows)
        HotIssueCase.objects.bulk_create(
            HotIssueCase(hot_issue=row, case=by_number[r.key])
            for row, issue in zip(rows, found, strict=True)
            for r in issue.members
        )
