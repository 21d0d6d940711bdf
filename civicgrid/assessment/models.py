"""Assessment (考核): the rollup tables the figures are read from, the schemes that turn
them into scores, reverse evaluations and the monthly red/black list.

The rollup (``rollup.py``) keeps ``DailyFigure`` current from the case events; nothing
on a page ever counts events. See docs/assessment.md.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The counters of one rollup cell, in the order docs/assessment.md explains them. Each is
# a number of events (never of cases) of one day, unit, region, category, channel and
# person; ``rollup.tally`` says which event adds to which counter.
COUNTERS: tuple[str, ...] = (
    "received",  # cases registered (受理)
    "direct_answers",  # answered directly by the hotline (直接答复)
    "referred",  # referred elsewhere (转办/告知)
    "merged",  # merged into another case
    "repeats",  # repeat complaints: merged, or referred as a repeat (重复投诉)
    "dispatched",  # should acknowledge: dispatched, reassigned or reopened to a unit (应签收)
    "acknowledged",  # acknowledged (签收)
    "ack_on_time",
    "ack_late",
    "returned",  # returned as misrouted by the unit (退单)
    "extension_requested",
    "extended",  # extension approved (延期)
    "replied",  # the unit's reply, handling done (办结/处置)
    "replied_on_time",
    "replied_late",
    "verify_checks",  # verification visits, passed or failed (核查)
    "verified",
    "verify_failed",  # failed verification: rework (返工)
    "verify_on_time",
    "verify_late",
    "callbacks",  # callback rounds ended, rated or not (回访)
    "callback_on_time",
    "callback_late",
    "rated",
    "satisfied",
    "basically",
    "unsatisfied",
    "resolved",  # callbacks that found the case resolved (解决)
    "closed",  # closed: after the callback, answered directly or referred (结案)
    "closed_on_time",
    "reopened",  # reopened after the callback (返工)
    "overdue",  # a step marked overdue by the clock (超时)
    "urged",  # urged (催办)
)


class Cell(models.Model):
    """What every rollup cell holds: its day, unit, region, category and channel, and
    the counters (``COUNTERS``) of the events of that day."""

    day = models.DateField(_("day"), db_index=True)
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    region_path = models.CharField(_("region path"), max_length=255, blank=True)
    category = models.ForeignKey(
        "routing.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    received = models.IntegerField(default=0)
    direct_answers = models.IntegerField(default=0)
    referred = models.IntegerField(default=0)
    merged = models.IntegerField(default=0)
    repeats = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    acknowledged = models.IntegerField(default=0)
    ack_on_time = models.IntegerField(default=0)
    ack_late = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    extension_requested = models.IntegerField(default=0)
    extended = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    replied_on_time = models.IntegerField(default=0)
    replied_late = models.IntegerField(default=0)
    verify_checks = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)
    verify_failed = models.IntegerField(default=0)
    verify_on_time = models.IntegerField(default=0)
    verify_late = models.IntegerField(default=0)
    callbacks = models.IntegerField(default=0)
    callback_on_time = models.IntegerField(default=0)
    callback_late = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    basically = models.IntegerField(default=0)
    unsatisfied = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    urged = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyFigure(Cell):
    """One rollup cell: the counters of one day × unit × region × category × channel × person.

    ``region`` is the lowest region of the case (its grid when placed) and
    ``region_path`` that region's path, so a street or community sums the cells whose
    path starts with its own. ``category`` is the top-level category. ``department`` is
    the unit in charge of the case at the event (None before dispatch); ``person`` the
    event's actor (None: the system or a citizen). ``key`` joins the six so one unique
    index holds even where PostgreSQL and SQLite treat NULLs differently.
    """

    key = models.CharField(max_length=120, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        indexes = [
            models.Index(fields=["day", "department"], name="assess_fig_day_unit"),
            models.Index(fields=["day", "region_path"], name="assess_fig_day_region"),
        ]

    def __str__(self) -> str:
        return self.key


class AreaFigure(Cell):
    """The coarse rollup cell: ``DailyFigure`` summed over people, one per day × unit ×
    region × category × channel. The one screen, the reports and every indicator above
    the person level read it (a month is a few times fewer rows). ``key`` is the cell
    key without its person part. Kept in step with ``DailyFigure`` by the same rollup.
    """

    key = models.CharField(max_length=100, unique=True, editable=False)

    class Meta:
        verbose_name = _("area figure")
        verbose_name_plural = _("area figures")
        indexes = [
            models.Index(fields=["day", "department"], name="assess_area_day_unit"),
            models.Index(fields=["day", "region_path"], name="assess_area_day_region"),
            # One community's or grid's cells over a period: ``region_path LIKE 'p%'``
            # (the pattern operator class lets PostgreSQL use the index for it).
            models.Index(
                fields=["region_path", "day"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="assess_area_region_day",
            ),
        ]

    def __str__(self) -> str:
        return self.key


class CommunityFigure(Cell):
    """The screen's rollup cell: ``AreaFigure`` summed over units, categories and
    channels, a grid's cells counted at its community (``region``; any region above a
    grid as itself): one row per community and day. The one screen of a district or a
    street reads its rates here (a month is a few thousand rows); a community's or a
    grid's reads ``AreaFigure``. ``key`` is ``day|region id``. Kept in step with
    ``AreaFigure`` by the same rollup and rebuilt by the same command."""

    key = models.CharField(max_length=40, unique=True, editable=False)

    class Meta:
        verbose_name = _("community figure")
        verbose_name_plural = _("community figures")
        indexes = [models.Index(fields=["day", "region_path"], name="assess_comm_day_region")]

    def __str__(self) -> str:
        return self.key


class UnitFigure(Cell):
    """The reports' unit cell: ``AreaFigure`` summed over categories and channels per
    day, unit and street (``region``: the street a grid or community lies in; a region
    above a street as itself). The reports of a district or a street rank their units
    here. ``key`` is ``day|unit id|region id``. Kept by the same rollup."""

    key = models.CharField(max_length=60, unique=True, editable=False)

    class Meta:
        verbose_name = _("unit figure")
        verbose_name_plural = _("unit figures")
        indexes = [models.Index(fields=["day", "region_path"], name="assess_unit_day_region")]

    def __str__(self) -> str:
        return self.key


class CaseTally(models.Model):
    """What one case adds to the rollup, as last computed: {cell key: {counter: n}}.

    The rollup recomputes a touched case's tally from all its events and applies only
    the difference to ``DailyFigure``, so the cells always equal the sum of the tallies.
    """

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    cells = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("case tally")
        verbose_name_plural = _("case tallies")

    def __str__(self) -> str:
        return str(self.case_id)


class RollupState(models.Model):
    """The rollup's watermark: every event up to ``last_event_id`` is in the figures."""

    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")

    def __str__(self) -> str:
        return str(self.last_event_id)


def validate_counter(value: str) -> None:
    if value not in COUNTERS:
        raise ValidationError(_("Not a counter of the rollup: %(value)s") % {"value": value})


# --- schemes ----------------------------------------------------------------------

# What a scheme may weigh: the rates of ``indicators.RATES`` and the reverse evaluation.
# For these, less is better: the score takes 1 − rate.
LOWER_IS_BETTER = frozenset({"repeat", "return", "rework", "extension"})
REVERSE = "reverse"


class Scheme(models.Model):
    """One version of the assessment scheme (考核方案), in force from ``valid_from``.

    A month is always scored with the scheme in force on its first day; a scheme in
    force is never changed (a new version is added instead), so a past month's scores
    stay what they were. ``weights`` gives each indicator's weight, adding up to 100.
    """

    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(
        _("in force from"), unique=True, help_text=_("The first day of a month.")
    )
    weights = models.JSONField(_("weights"), default=dict)
    grade_a = models.PositiveSmallIntegerField(_("grade A from"), default=90)
    grade_b = models.PositiveSmallIntegerField(_("grade B from"), default=75)
    grade_c = models.PositiveSmallIntegerField(_("grade C from"), default=60)
    red_size = models.PositiveSmallIntegerField(_("units on the red list"), default=3)
    black_size = models.PositiveSmallIntegerField(_("units on the black list"), default=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%Y-%m})"

    def grade(self, score: float | None) -> str:
        if score is None:
            return ""
        for letter, floor in (("A", self.grade_a), ("B", self.grade_b), ("C", self.grade_c)):
            if score >= floor:
                return letter
        return "D"


# --- reverse evaluation (逆向评价) -------------------------------------------------


class Rater(models.TextChoices):
    RESIDENT = "resident", _("a resident rates their grid")
    GRID_WORKER = "grid_worker", _("a grid worker rates their community")
    COMMUNITY = "community", _("a community rates a department")


class ReverseEvaluation(models.Model):
    """One rating (1–5 and a comment) of a grid, a community or a department for a month.

    One per rater and target a month: rating again replaces it. ``rater_key`` is the
    resident's phone as a keyed hash (never the number) or ``user:<id>``.
    """

    rater_kind = models.CharField(_("who rates"), max_length=12, choices=Rater.choices)
    month = models.DateField(_("month"), db_index=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid or community rated"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("department rated"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target = models.CharField(max_length=20, editable=False)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rater_key = models.CharField(max_length=64, editable=False)
    stars = models.PositiveSmallIntegerField(_("rating (1–5)"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("reverse evaluation")
        verbose_name_plural = _("reverse evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "rater_key", "target"], name="assessment_one_rating_a_month"
            ),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="assessment_stars_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["month", "target"], name="assessment_rev_target")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.target} {self.stars}"


# --- the red/black list (红黑榜) -----------------------------------------------------


class MonthList(models.Model):
    """The red/black list of one month, compiled from the scores and the accountability
    record; published internally when compiled, publicly when the centre says so."""

    month = models.DateField(_("month"), unique=True)
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="+"
    )
    compiled_at = models.DateTimeField(_("compiled at"), default=timezone.now)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compiled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    public = models.BooleanField(_("published to the public"), default=False)

    class Meta:
        verbose_name = _("red/black list")
        verbose_name_plural = _("red/black lists")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ListKind(models.TextChoices):
    RED = "red", _("red list (红榜)")
    BLACK = "black", _("black list (黑榜)")


class ListEntry(models.Model):
    month_list = models.ForeignKey(
        MonthList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(_("list"), max_length=5, choices=ListKind.choices)
    rank = models.PositiveSmallIntegerField(_("rank"))
    department = models.ForeignKey(
        "routing.Department", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    records = models.PositiveIntegerField(_("accountability records"), default=0)

    class Meta:
        verbose_name = _("red/black list entry")
        verbose_name_plural = _("red/black list entries")
        ordering = ["kind", "rank"]

    def __str__(self) -> str:
        return f"{self.kind} {self.rank} {self.department_id}"
