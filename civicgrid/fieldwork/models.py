"""The grid's standing work beside the case loop: its team (1 + N + X), the households
of concern and their visits, must-attend events (五必到), the centre's tasks to grids,
grid councils (网格议事会) and resident points (积分超市).

Nothing here records where a person is: visits and arrivals keep times and notes only.
Households keep the minimum (PIPL): grid, category, a contact, the consent.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.models import mask_name, mask_phone
from civicgrid.core.fields import user_field


class TeamRole(models.TextChoices):
    LEADER = "leader", _("grid leader")
    SPECIALIST = "specialist", _("specialist")
    VOLUNTEER = "volunteer", _("volunteer")
    BUILDING_CHIEF = "building_chief", _("building chief (楼长)")
    SECURITY_HEAD = "security_head", _("security household head")


class TeamMember(models.Model):
    """One person of a grid's "1 + N + X" team, on its public roster (name and role,
    never a private contact)."""

    grid = models.ForeignKey(
        "regions.Region", verbose_name=_("grid"), on_delete=models.CASCADE, related_name="team"
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("team role"), max_length=20, choices=TeamRole.choices)
    speciality = models.CharField(
        _("speciality"), max_length=50, blank=True, help_text=_("e.g. community police, lawyer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["grid", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class RecordKind(models.TextChoices):
    APPOINTMENT = "appointment", _("appointment")
    TRAINING = "training", _("training")
    ASSESSMENT = "assessment", _("assessment")


class WorkerRecord(models.Model):
    """A grid worker's file: appointment, training, assessments (a score from their own
    visits' on-time share, see ``services.assess``)."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.PROTECT,
        related_name="worker_records",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RecordKind.choices)
    on = models.DateField(_("date"), default=timezone.localdate)
    title = models.CharField(_("title"), max_length=200)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    recorded_by = user_field(_("recorded by"))

    class Meta:
        verbose_name = _("grid worker record")
        verbose_name_plural = _("grid worker records")
        ordering = ["worker", "-on"]

    def __str__(self) -> str:
        return f"{self.worker} {self.get_kind_display()} {self.on}"


class HouseholdCategory(models.TextChoices):
    ORDINARY = "ordinary", _("ordinary household")
    DIFFICULTY = "difficulty", _("household in difficulty")
    DISABILITY = "disability", _("household with a disabled member")
    TEMPORARY = "temporary", _("temporary residents")
    UNEMPLOYED = "unemployed", _("unemployed")
    ASSISTED = "assisted", _("on assistance (低保)")
    ELDERLY_ALONE = "elderly_alone", _("elderly living alone")
    FIVE_GUARANTEES = "five_guarantees", _("five guarantees (五保)")


class VisitRule(models.Model):
    """How often a category of household is visited (admin sets it)."""

    category = models.CharField(
        _("category"), max_length=20, choices=HouseholdCategory.choices, unique=True
    )
    every_months = models.PositiveSmallIntegerField(
        _("every (months)"), help_text=_("1 monthly, 3 quarterly, 12 yearly")
    )

    class Meta:
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")
        ordering = ["every_months", "category"]
        constraints = [
            models.CheckConstraint(
                condition=Q(every_months__gte=1, every_months__lte=12), name="visit_every_1_to_12"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.every_months}"


# Used when the table has no row for a category (the brief's defaults).
DEFAULT_EVERY_MONTHS = {
    HouseholdCategory.ORDINARY: 12,
    HouseholdCategory.DIFFICULTY: 3,
    HouseholdCategory.DISABILITY: 3,
    HouseholdCategory.TEMPORARY: 3,
    HouseholdCategory.UNEMPLOYED: 3,
    HouseholdCategory.ASSISTED: 3,
    HouseholdCategory.ELDERLY_ALONE: 1,
    HouseholdCategory.FIVE_GUARANTEES: 1,
}


class Household(models.Model):
    """A household the grid looks after; minimal and consented. Seen by the grid's team
    and its community only, never on a public page; the contact is masked and each
    reveal is audited (``services.reveal_contact``)."""

    grid = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="households_of_concern",
    )
    label = models.CharField(
        _("door"), max_length=60, help_text=_("building, unit and door, e.g. 3-2-401")
    )
    category = models.CharField(_("category"), max_length=20, choices=HouseholdCategory.choices)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    consent_on = models.DateField(_("consent given on"))
    consent_by = user_field(_("consent recorded by"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("household of concern")
        verbose_name_plural = _("households of concern")
        ordering = ["grid", "label"]
        indexes = [models.Index(fields=["grid", "category"])]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_category_display()})"

    @property
    def masked_name(self) -> str:
        return mask_name(self.contact_name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)


class Visit(models.Model):
    """One due visit (a row per household and month it is due), and once made, what
    was found. ``visited_on`` empty: still to do; after the month: overdue."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="visits"
    )
    grid = models.ForeignKey(
        "regions.Region", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("due in month"), help_text=_("the first day of the month"))
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits_made",
    )
    found = models.TextField(_("what was found"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-month", "household"]
        constraints = [
            models.UniqueConstraint(fields=["household", "month"], name="one_visit_a_month")
        ]
        indexes = [
            # The board counts a month's visits per grid from this index alone.
            models.Index(fields=["month", "grid", "visited_on"], name="fieldwork_visit_board"),
            models.Index(fields=["worker", "month"]),
            # The backlog: visits not made yet (few, looked up on every board and day page).
            models.Index(
                fields=["grid", "month"],
                condition=Q(visited_on__isnull=True),
                name="fieldwork_open_visits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.month:%Y-%m}"

    @property
    def done(self) -> bool:
        return self.visited_on is not None

    @property
    def month_end(self):
        from .calendar import next_month

        return next_month(self.month)

    def late(self, today=None) -> bool:
        """Done after its month, or not done and its month is over."""
        end = self.month_end
        if self.visited_on is not None:
            return self.visited_on >= end
        return (today or timezone.localdate()) >= end


class VisitTally(models.Model):
    """Per grid and month, the visits due, made, and made within their month: what the
    overdue board reads instead of counting a district's visits on every view (300,000
    households make 60,000 visits a month). Kept current by ``services`` after each
    change to the visits (``refresh_tally``, ``refresh_tallies``); never edited by hand.
    Still to make = due - made."""

    grid = models.ForeignKey(
        "regions.Region", verbose_name=_("grid"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("due in month"))
    due = models.PositiveIntegerField(_("due"), default=0)
    made = models.PositiveIntegerField(_("made"), default=0)
    on_time = models.PositiveIntegerField(_("on time"), default=0)

    class Meta:
        verbose_name = _("visit tally")
        verbose_name_plural = _("visit tallies")
        ordering = ["-month", "grid"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "month"], name="one_tally_per_grid_month")
        ]
        indexes = [
            # The board reads every column of a month's (and earlier months') rows from
            # this index alone.
            models.Index(
                fields=["month", "grid", "due", "made", "on_time"], name="fieldwork_tally_board"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.month:%Y-%m}: {self.made}/{self.due}"


class MustAttendRule(models.Model):
    """A case category whose cases the grid worker must attend in person (五必到), and
    how soon they must be there."""

    category = models.OneToOneField(
        "routing.Category",
        verbose_name=_("case category"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    minutes = models.PositiveSmallIntegerField(_("arrive within (minutes)"), default=30)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("must-attend rule")
        verbose_name_plural = _("must-attend rules")

    def __str__(self) -> str:
        return f"{self.category}: {self.minutes}"


class MustAttend(models.Model):
    """An on-site task: the grid worker must be at the case within the rule's minutes."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="must_attend"
    )
    grid = models.ForeignKey(
        "regions.Region", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    due_at = models.DateTimeField(_("arrive by"))
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    arrived_by = user_field(_("arrived"), optional=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("must-attend task")
        verbose_name_plural = _("must-attend tasks")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["grid", "arrived_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.grid}"

    @property
    def late(self) -> bool:
        return (self.arrived_at or timezone.now()) > self.due_at


class CentreTask(models.Model):
    """A free-form task the centre sends to one or many grids at once."""

    title = models.CharField(_("task"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    created_by = user_field(_("sent by"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("centre task")
        verbose_name_plural = _("centre tasks")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class TaskReply(models.Model):
    """One grid's share of a centre task, and its reply (result and photos)."""

    task = models.ForeignKey(
        CentreTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="replies"
    )
    grid = models.ForeignKey(
        "regions.Region", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(_("result"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = user_field(_("done by"), optional=True)

    class Meta:
        verbose_name = _("centre task reply")
        verbose_name_plural = _("centre task replies")
        ordering = ["task", "grid"]
        constraints = [models.UniqueConstraint(fields=["task", "grid"], name="one_reply_per_grid")]

    def __str__(self) -> str:
        return f"{self.task} / {self.grid}"


def reply_photo_path(photo: "ReplyPhoto", filename: str) -> str:
    return f"fieldwork/tasks/{photo.reply.task_id}/{photo.reply.grid_id}/{filename}"


class ReplyPhoto(models.Model):
    reply = models.ForeignKey(
        TaskReply, verbose_name=_("reply"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to=reply_photo_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("reply photo")
        verbose_name_plural = _("reply photos")

    def __str__(self) -> str:
        return self.name


class Council(models.Model):
    """A grid council meeting (网格议事会): the topic, the residents' decision and the
    tasks that follow from it."""

    grid = models.ForeignKey(
        "regions.Region", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=200)
    meeting_on = models.DateField(_("meeting on"))
    attendance = models.PositiveSmallIntegerField(_("residents present"), default=0)
    decision = models.TextField(_("residents' decision"), blank=True)
    created_by = user_field(_("recorded by"))

    class Meta:
        verbose_name = _("grid council")
        verbose_name_plural = _("grid councils")
        ordering = ["-meeting_on"]

    def __str__(self) -> str:
        return self.topic


class CouncilTask(models.Model):
    """One follow-up of a council's decision: done by the grid and community, or turned
    into a case when it needs a unit."""

    council = models.ForeignKey(
        Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="tasks"
    )
    text = models.CharField(_("follow-up task"), max_length=200)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The case the follow-up became, when it needs a unit."),
    )

    class Meta:
        verbose_name = _("council follow-up task")
        verbose_name_plural = _("council follow-up tasks")

    def __str__(self) -> str:
        return self.text


class Reward(models.Model):
    """What the points shop (积分超市) offers, at a price in points, while stock lasts."""

    name = models.CharField(_("reward"), max_length=100)
    points = models.PositiveIntegerField(_("points"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["points", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"


class PointEntry(models.Model):
    """One line of a household's points ledger. Append-only: never edited or deleted;
    a correction is a new line. Earned for a civic act the grid worker confirmed, spent
    on a reward."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="points"
    )
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("what for"), max_length=200)
    reward = models.ForeignKey(
        Reward,
        verbose_name=_("reward"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = user_field(_("confirmed by"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="points_not_zero")]

    def __str__(self) -> str:
        return f"{self.household} {self.points:+d}"
