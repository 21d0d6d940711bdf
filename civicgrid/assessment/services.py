"""Schemes, scores, reverse evaluations and the red/black list.

Public API:

- ``check_weights(weights)``: raises ``ValidationError`` (translated) unless the weights
  name known indicators and add up to 100.
- ``save_scheme(*, actor, name, valid_from, weights, ...) -> Scheme``: a new version.
- ``scheme_for(month) -> Scheme | None``: the scheme in force on the month's first day.
- ``scores(month, level="unit", ids=None) -> Scores``: the month's score of every unit
  (or community / grid) by the scheme in force then, best first.
- ``rate_grid`` (a resident, no account), ``rate_community`` (a grid worker),
  ``rate_department`` (a community): reverse evaluations.
- ``compile_list(month, *, actor) -> MonthList`` and ``set_public(...)``: the red/black list.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role, User
from civicgrid.cases.lifecycle import InvalidAction
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Department

from .extensions import accountability_counts
from .indicators import RATE_CODES, RATES, indicators
from .models import (
    LOWER_IS_BETTER,
    REVERSE,
    ListEntry,
    ListKind,
    MonthList,
    Rater,
    ReverseEvaluation,
    Scheme,
)

INDICATOR_CODES = (*RATE_CODES, REVERSE)
MANAGERS = (Role.ASSESSOR, Role.ADMIN)
READERS = (Role.ASSESSOR, Role.LEADER, Role.ADMIN)
SCORED_LEVELS = {"unit": None, "community": Level.COMMUNITY, "grid": Level.GRID}


def indicator_label(code: str) -> str:
    if code == REVERSE:
        return str(_("reverse evaluation (逆向评价)"))
    return next(str(rate.label) for rate in RATES if rate.code == code)


def first_of(month: date) -> date:
    return month.replace(day=1)


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of the month of ``month``."""
    first = first_of(month)
    after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, date.fromordinal(after.toordinal() - 1)


def month_moments(first: date, last: date) -> tuple[datetime, datetime]:
    """[start of ``first``, start of the day after ``last``) as aware local moments."""
    return _moment(first), _moment(last + timedelta(days=1))


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def may_manage(user) -> bool:
    return bool(user and (user.is_superuser or user.has_role(*MANAGERS)))


def may_read(user) -> bool:
    return bool(user and (user.is_superuser or user.has_role(*READERS)))


# --- schemes ------------------------------------------------------------------------


def check_weights(weights) -> dict[str, int]:
    """The weights, cleaned; a translated ``ValidationError`` unless they add up to 100."""
    if not isinstance(weights, dict) or not weights:
        raise ValidationError(_("Give each indicator its weight."), code="weights")
    cleaned: dict[str, int] = {}
    for code, weight in weights.items():
        if code not in INDICATOR_CODES:
            raise ValidationError(
                _("“%(code)s” is not an indicator a scheme can weigh.") % {"code": code},
                code="weights",
            )
        try:
            number = int(weight)
        except (TypeError, ValueError):
            number = -1
        if number < 0 or str(number) != str(weight).strip():
            raise ValidationError(
                _("The weight of “%(indicator)s” must be a whole number, 0 or more.")
                % {"indicator": indicator_label(code)},
                code="weights",
            )
        if number:
            cleaned[code] = number
    total = sum(cleaned.values())
    if total != 100:
        raise ValidationError(
            _("The weights add up to %(total)d; they must add up to 100.") % {"total": total},
            code="weights",
        )
    return cleaned


def check_scheme(scheme: Scheme, *, original_valid_from: date | None = None) -> None:
    """Everything a scheme must satisfy; raises a translated ``ValidationError``."""
    if scheme.valid_from is None or scheme.valid_from.day != 1:
        raise ValidationError(
            {"valid_from": _("A scheme comes into force on the first day of a month.")}
        )
    if not scheme.grade_a > scheme.grade_b > scheme.grade_c or scheme.grade_a > 100:
        raise ValidationError(
            {"grade_a": _("The grade bands must fall: A above B above C, A at most 100.")}
        )
    today = timezone.localdate()
    if original_valid_from is not None and original_valid_from <= today:
        raise ValidationError(
            _(
                "This scheme has been in force since %(date)s and past months are scored "
                "with it; add a new version instead of changing it."
            )
            % {"date": original_valid_from.isoformat()}
        )
    try:
        scheme.weights = check_weights(scheme.weights)
    except ValidationError as error:
        raise ValidationError({"weights": error.messages}) from None


def save_scheme(
    *,
    actor: User,
    name: str,
    valid_from: date,
    weights: dict,
    grade_a: int = 90,
    grade_b: int = 75,
    grade_c: int = 60,
    red_size: int = 3,
    black_size: int = 3,
) -> Scheme:
    """A new version of the scheme, in force from ``valid_from`` (the first of a month)."""
    if not may_manage(actor):
        raise PermissionDenied(_("Only an assessment officer keeps the assessment schemes."))
    if not (name or "").strip():
        raise ValidationError({"name": _("Give the scheme a name.")})
    scheme = Scheme(
        name=name.strip()[:100],
        valid_from=valid_from,
        weights=weights,
        grade_a=grade_a,
        grade_b=grade_b,
        grade_c=grade_c,
        red_size=red_size,
        black_size=black_size,
        created_by=actor,
    )
    check_scheme(scheme)
    try:
        with transaction.atomic():
            scheme.save()
    except IntegrityError:
        raise ValidationError(
            {
                "valid_from": _("A scheme already comes into force on %(date)s.")
                % {"date": valid_from.isoformat()}
            }
        ) from None
    return scheme


def scheme_for(month: date) -> Scheme | None:
    """The scheme in force on the first day of ``month``'s month."""
    return Scheme.objects.filter(valid_from__lte=first_of(month)).order_by("-valid_from").first()


# --- scores -------------------------------------------------------------------------


@dataclass
class Part:
    code: str
    label: str
    weight: int
    rate: float | None
    points: float | None  # 0–100 before weighting


@dataclass
class Score:
    level: str
    id: int
    name: str
    score: float | None
    grade: str
    parts: list[Part] = field(default_factory=list)
    has_data: bool = False


@dataclass
class Scores:
    month: date
    scheme: Scheme | None
    rows: list[Score]

    @property
    def has_data(self) -> bool:
        return any(row.has_data for row in self.rows)


def reverse_averages(month: date, level: str) -> dict[int, tuple[float, int]]:
    """{target id: (average stars, ratings)} of the month's reverse evaluations."""
    kind = {"unit": Rater.COMMUNITY, "community": Rater.GRID_WORKER, "grid": Rater.RESIDENT}[level]
    column = "department_id" if level == "unit" else "region_id"
    rows = (
        ReverseEvaluation.objects.filter(month=first_of(month), rater_kind=kind)
        .values(column)
        .annotate(avg=Avg("stars"), n=Count("pk"))
        .order_by()
    )
    return {row[column]: (float(row["avg"]), row["n"]) for row in rows}


def _points(code: str, rate: float | None) -> float | None:
    if rate is None:
        return None
    return (1 - rate) * 100 if code in LOWER_IS_BETTER else rate * 100


def score_of(weights: dict[str, int], rates: dict[str, float | None]) -> tuple[float | None, list]:
    """The weighted score (0–100) and its parts. An indicator without a figure (nothing
    to divide) leaves the score: the others' weights count in proportion; no figure at
    all, no score."""
    parts, total, weighed = [], 0.0, 0
    for code, weight in weights.items():
        points = _points(code, rates.get(code))
        parts.append(Part(code, indicator_label(code), weight, rates.get(code), points))
        if points is not None and weight:
            total += points * weight
            weighed += weight
    return (round(total / weighed, 2) if weighed else None), parts


def scores(month: date, level: str = "unit", ids=None) -> Scores:
    """Every unit's (community's, grid's) score for the month, best first, no score last."""
    if level not in SCORED_LEVELS:
        raise ValueError(f"not a scored level: {level!r}")
    scheme = scheme_for(month)
    first, last = month_bounds(month)
    if scheme is None:
        return Scores(first, None, [])
    rows = indicators(first, last, level, ids)
    reverse = reverse_averages(first, level)
    found = []
    for row in rows:
        rates = dict(row.rates)
        assert row.id is not None  # a unit, community or grid, never "all"
        average = reverse.get(row.id)
        rates[REVERSE] = average[0] / 5 if average else None
        score, parts = score_of(scheme.weights, rates)
        found.append(
            Score(
                level,
                row.id,
                row.name,
                score,
                scheme.grade(score),
                parts,
                row.has_data or average is not None,
            )
        )
    found.sort(key=lambda s: (s.score is None, -(s.score or 0), s.name))
    return Scores(first, scheme, found)


# --- reverse evaluation -------------------------------------------------------------


def _stars(stars) -> int:
    try:
        value = int(stars)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise InvalidAction(_("Choose a rating from 1 to 5."), "stars")
    return value


def _evaluate(kind, *, key, target, stars, comment, region=None, department=None, rater=None):
    month = first_of(timezone.localdate())
    values = {
        "rater_kind": kind,
        "region": region,
        "department": department,
        "rater": rater,
        "stars": _stars(stars),
        "comment": (comment or "").strip()[:500],
        "at": timezone.now(),
    }
    # One rating per rater and target a month: a second replaces the first (the unique
    # constraint makes two at once one row).
    for _attempt in range(2):
        try:
            with transaction.atomic():
                found, _created = ReverseEvaluation.objects.update_or_create(
                    month=month, rater_key=key, target=target, defaults=values
                )
            return found
        except IntegrityError:
            continue
    raise InvalidAction(_("Your rating could not be saved; please try again."))


def resident_key(phone: str) -> str:
    """A resident's phone as a keyed hash: one rating a month per phone and grid."""
    return "phone:" + salted_hmac("civicgrid.assessment.resident", phone).hexdigest()[:40]


def rate_grid(grid: Region, *, phone: str, stars, comment: str = "") -> ReverseEvaluation:
    """A resident rates their grid (public form, no account; the form checks the human)."""
    if grid is None or grid.level != Level.GRID:
        raise InvalidAction(_("Choose your grid."), "grid")
    return _evaluate(
        Rater.RESIDENT,
        key=resident_key(phone),
        target=f"r:{grid.pk}",
        stars=stars,
        comment=comment,
        region=grid,
    )


def communities_of_grid_worker(user: User) -> list[Region]:
    """The communities holding a grid of ``user``'s grid-worker grants."""
    paths = [p for g in user.grants_for(Role.GRID_WORKER) for p in g.region_paths]
    communities = Region.objects.filter(level=Level.COMMUNITY)
    return [c for c in communities.order_by("code") if any(p.startswith(c.path) for p in paths)]


def communities_of(user: User) -> list[Region]:
    """The communities ``user`` speaks for: a grant on the community itself."""
    paths = {p for g in user.role_grants() for p in g.region_paths}
    return list(Region.objects.filter(level=Level.COMMUNITY, path__in=paths).order_by("code"))


def rate_community(
    community: Region, *, actor: User, stars, comment: str = ""
) -> ReverseEvaluation:
    """A grid worker rates the community their grid belongs to."""
    if community is None or community.pk not in {c.pk for c in communities_of_grid_worker(actor)}:
        raise PermissionDenied(_("A grid worker rates the community of their own grid."))
    return _evaluate(
        Rater.GRID_WORKER,
        key=f"user:{actor.pk}",
        target=f"r:{community.pk}",
        stars=stars,
        comment=comment,
        region=community,
        rater=actor,
    )


def rate_department(
    department: Department, *, actor: User, community: Region, stars, comment: str = ""
) -> ReverseEvaluation:
    """A community (a person granted on it) rates a department."""
    if community is None or community.pk not in {c.pk for c in communities_of(actor)}:
        raise PermissionDenied(_("Only someone who speaks for a community rates departments."))
    if department is None or not department.active:
        raise InvalidAction(_("Choose the department you rate."), "department")
    return _evaluate(
        Rater.COMMUNITY,
        key=f"community:{community.pk}",
        target=f"d:{department.pk}",
        stars=stars,
        comment=comment,
        department=department,
        rater=actor,
    )


# --- the red/black list -------------------------------------------------------------


def compile_list(month: date, *, actor: User) -> MonthList:
    """The month's red and black lists, recompiled from the scores and the
    accountability record (kept public if it was).

    Red (红榜): grade A and no accountability record, best first, ``red_size`` at most.
    Black (黑榜): grade D, or any accountability record; most records then lowest score
    first, ``black_size`` at most.
    """
    if not may_manage(actor) and not (actor and actor.has_role(Role.LEADER)):
        raise PermissionDenied(_("Only an assessment officer or a leader compiles the lists."))
    found = scores(month)
    if found.scheme is None:
        raise InvalidAction(_("No assessment scheme is in force for this month."))
    if not found.has_data:
        raise InvalidAction(_("There are no figures for this month yet."))
    first, last = month_bounds(month)
    records = accountability_counts(_moment(first), _moment(last + timedelta(days=1)))
    scored = [row for row in found.rows if row.score is not None]
    red = [r for r in scored if r.grade == "A" and not records.get(r.id)][: found.scheme.red_size]
    black = sorted(
        (r for r in scored if r.grade == "D" or records.get(r.id)),
        key=lambda r: (-records.get(r.id, 0), r.score),
    )[: found.scheme.black_size]
    with transaction.atomic():
        month_list, _created = MonthList.objects.select_for_update().get_or_create(
            month=first, defaults={"scheme": found.scheme, "compiled_by": actor}
        )
        month_list.scheme = found.scheme
        month_list.compiled_by = actor
        month_list.compiled_at = timezone.now()
        month_list.save()
        month_list.entries.all().delete()
        ListEntry.objects.bulk_create(
            [
                ListEntry(
                    month_list=month_list,
                    kind=kind,
                    rank=rank,
                    department_id=row.id,
                    score=row.score,
                    grade=row.grade,
                    records=records.get(row.id, 0),
                )
                for kind, rows in ((ListKind.RED, red), (ListKind.BLACK, black))
                for rank, row in enumerate(rows, 1)
            ]
        )
    return month_list


def set_public(month_list: MonthList, public: bool, *, actor: User) -> MonthList:
    """The centre's switch: show (or stop showing) the month's lists on the public page."""
    if not may_manage(actor) and not actor.has_role(Role.LEADER):
        raise PermissionDenied(_("Only an assessment officer or a leader publishes the lists."))
    MonthList.objects.filter(pk=month_list.pk).update(public=bool(public))
    month_list.public = bool(public)
    return month_list
