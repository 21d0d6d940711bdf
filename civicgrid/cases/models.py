"""The case (工单): one model for every channel, its event log, assignments and files."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.routing.models import RequestType, Urgency


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12345 hotline")
    WEB = "web", _("website / app")
    CITIZEN = "citizen", _("citizen photo report")
    GRID_PATROL = "grid_patrol", _("grid patrol")
    POLICE_DIVERSION = "police_diversion", _("110 diversion")
    OPEN311 = "open311", _("Open311")
    SENSOR = "sensor", _("sensor / platform alert")
    WALK_IN = "walk_in", _("walk-in window")
    API = "api", _("other system")


class Status(models.TextChoices):
    REGISTERED = "registered", _("awaiting triage")
    DISPATCHED = "dispatched", _("dispatched, awaiting acknowledgement")
    HANDLING = "handling", _("being handled")
    EXTENSION_REQUESTED = "extension_requested", _("extension requested")
    RETURN_REQUESTED = "return_requested", _("return requested, awaiting review")
    REPLIED = "replied", _("replied, awaiting verification")
    VERIFIED = "verified", _("verified, awaiting callback")
    RATED = "rated", _("called back, awaiting close")
    CLOSED = "closed", _("closed")
    MERGED = "merged", _("merged into another case")


_STATUS_LABELS = dict(Status.choices)


class StatusGroup(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


CLOSED_STATUSES = frozenset({Status.CLOSED, Status.MERGED})
# The same, in a fixed order: a partial index's condition and the queries meant to use it
# must spell the list alike for PostgreSQL to match them.
CLOSED_ORDER = (Status.CLOSED.value, Status.MERGED.value)
OPEN_STATUSES = frozenset(set(Status) - CLOSED_STATUSES)


# Open cases given a grid but no point: the ones ``OpenMapCount`` leaves out, which
# ``queries.open_counts_by_grid`` adds from the small partial index with this condition.
OPEN_UNPLACED = (
    ~models.Q(status__in=CLOSED_ORDER)
    & models.Q(grid__isnull=False)
    & (models.Q(lat__isnull=True) | models.Q(lng__isnull=True))
)
# Open cases with a deadline not yet marked overdue for it: what ``services.mark_overdue``
# looks through, and the condition of the small partial index it reads (the same Q, so
# PostgreSQL matches them). "Marked for another deadline" is written < or >, not a
# negation, for the same reason.
OVERDUE_UNMARKED = (
    ~models.Q(status__in=CLOSED_ORDER)
    & models.Q(due_at__isnull=False)
    & (
        models.Q(overdue_marked_for__isnull=True)
        | models.Q(overdue_marked_for__lt=models.F("due_at"))
        | models.Q(overdue_marked_for__gt=models.F("due_at"))
    )
)


# Most urgent first (``queries.PRESSING_FIRST``): spelled once, for the queues' ORDER BY
# and the triage queue's index, which PostgreSQL matches only when they are alike.
URGENCY_RANK = models.Case(
    models.When(urgency=Urgency.URGENT, then=models.Value(0)),
    models.When(urgency=Urgency.SAME_DAY, then=models.Value(1)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)
# What a staff member's scope reads of a case (``scope.visible_cases`` and the centres'
# ``queries.owned_in``/``held_in``): the work queues' indexes carry them.
SCOPE_COLUMNS = ["region_path", "owner_path", "owner_region", "created_by", "main_department"]
# The statuses a department works on (the inbox) and those the callback page lists.
INBOX_STATUSES = (Status.DISPATCHED.value, Status.HANDLING.value, Status.EXTENSION_REQUESTED.value)
CALLBACK_STATUSES = (Status.VERIFIED.value, Status.RATED.value)


def group_of(status: str) -> str:
    """Open311 and dashboards speak in status groups, never single statuses."""
    return StatusGroup.CLOSED if status in CLOSED_STATUSES else StatusGroup.OPEN


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY = "basically", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")


class CallbackResult(models.TextChoices):
    """How the callback round ended: a rating, or why there is none (docs/lifecycle.md).

    Only ``reached`` carries a rating; the others count neither as satisfied nor as
    unsatisfied in any rate of satisfaction.
    """

    REACHED = "reached", _("reached and rated")
    REFUSED = "refused", _("refused to rate")
    NOT_REACHED = "not_reached", _("could not be reached")


class Light(models.TextChoices):
    GREEN = "green", _("on time")
    YELLOW = "yellow", _("close to the deadline")
    RED = "red", _("overdue")
    NONE = "none", _("no deadline")


# The traffic light, one rule in two forms: ``light_at`` reads it from the deadline
# columns, ``light_q`` selects the rows showing a light. A closed case, or one with no
# deadline, shows none; past ``due_at`` it is red; from ``warn_at`` on, yellow; else green.


def light_at(due_at, warn_at, now, *, is_open: bool = True) -> str:
    """The light of a case with these deadlines at ``now``."""
    if due_at is None or not is_open:
        return Light.NONE
    if now > due_at:
        return Light.RED
    if warn_at is not None and now >= warn_at:
        return Light.YELLOW
    return Light.GREEN


def light_q(light: str, now) -> models.Q:
    """The rows whose ``light_at`` is ``light`` at ``now``, on the indexed deadline columns."""
    if light == Light.NONE:
        return models.Q(due_at__isnull=True) | models.Q(status__in=CLOSED_STATUSES)
    running = models.Q(due_at__isnull=False) & ~models.Q(status__in=CLOSED_STATUSES)
    if light == Light.RED:
        return running & models.Q(due_at__lt=now)
    if light == Light.YELLOW:
        return running & models.Q(due_at__gte=now, warn_at__lte=now)
    if light == Light.GREEN:
        return (
            running
            & models.Q(due_at__gte=now)
            & (models.Q(warn_at__isnull=True) | models.Q(warn_at__gt=now))
        )
    raise ValueError(f"not a light: {light!r}")


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def with_light(self, light: str, now=None):
        """Filter on the traffic light using the stored, indexed deadline columns."""
        return self.filter(light_q(light, now or timezone.now()))


class Case(models.Model):
    """One request, complaint, hazard or dispute, whatever door it came through.

    ``status`` only changes through ``cases.lifecycle.apply``. ``due_at`` is the deadline
    of the current step and ``warn_at`` the moment its light turns yellow; both are
    stored and indexed so queues and the overdue job filter in SQL. ``handle_due_at`` is
    the department's overall deadline, set at dispatch and moved by extensions.
    """

    number = models.CharField(_("case number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    request_type = models.CharField(
        _("request type"), max_length=12, choices=RequestType.choices, default=RequestType.HELP
    )
    category = models.ForeignKey(
        "routing.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    title = models.CharField(_("title"), max_length=200)
    # The title's words (``cases.words``), filled on save: PostgreSQL's word index.
    title_words = models.TextField(blank=True, editable=False)
    content = models.TextField(_("content"))
    extra = models.JSONField(_("extra fields"), default=dict, blank=True)

    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    input_datum = models.CharField(_("datum given"), max_length=8, blank=True)
    grid = models.ForeignKey(
        "regions.Region",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        # The (grid, created_at, status) index below serves every lookup by grid.
        db_index=False,
    )
    region_path = models.CharField(_("region path"), max_length=255, blank=True, db_index=True)
    needs_placement = models.BooleanField(_("needs manual placement"), default=False)
    owner_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("responsible centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        help_text=_("The region whose centre triages this case; escalation moves it up."),
    )
    # The centre's region path, copied from ``owner_region`` by every move that changes
    # it (``save``, ``lifecycle.apply``): the scope filters read it beside
    # ``region_path`` from the case's own row, through an index, instead of a join that
    # no index serves (docs/performance.md).
    owner_path = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    joint_consultation = models.BooleanField(_("joint consultation"), default=False)

    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    reporter_phone_hash = models.CharField(max_length=64, blank=True, db_index=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    main_department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("main department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="main_cases",
    )
    co_departments = models.ManyToManyField(
        "routing.Department",
        verbose_name=_("co-handling departments"),
        blank=True,
        related_name="co_cases",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )

    step_started_at = models.DateTimeField(_("step started at"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    handle_due_at = models.DateTimeField(_("handling due at"), null=True, blank=True)
    overdue_marked_for = models.DateTimeField(null=True, blank=True, editable=False)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    # The callback round (回访): failed tries so far, when the next may be made, and
    # how it ended (``cases.callbacks``).
    callback_tries = models.PositiveSmallIntegerField(_("failed callback tries"), default=0)
    callback_next_at = models.DateTimeField(_("next callback try from"), null=True, blank=True)
    callback_result = models.CharField(
        _("callback result"), max_length=12, choices=CallbackResult.choices, blank=True
    )
    reply = models.TextField(_("reply"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    version = models.PositiveIntegerField(default=0, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            # Possible duplicates: recent open cases of a few grids (duplicates.candidates).
            # The status inside the index spares a visit to every closed case's row.
            models.Index(fields=["grid", "created_at", "status"], name="cases_case_grid_recent"),
            # The public results page: closed cases, newest first (citizens.queries).
            models.Index(fields=["status", "-closed_at"], name="cases_case_closed_recent"),
            # The leaders' one screen and reports (analytics.figures): the cases received in
            # a period counted by area, channel, status, rating and category from the index
            # alone, and the open cases by area and deadline from a small partial index.
            models.Index(
                fields=["created_at", "region_path", "channel", "status", "rating", "category"],
                name="cases_case_received_counts",
            ),
            models.Index(
                fields=["region_path", "due_at", "channel"],
                condition=~models.Q(status__in=CLOSED_ORDER),
                name="cases_case_open_by_area",
            ),
            # The one screen's "overdue now" (analytics.figures): the few open cases due
            # between the start of this month and now, by deadline, with their area.
            models.Index(
                fields=["due_at", "region_path", "owner_path"],
                condition=~models.Q(status__in=CLOSED_ORDER),
                name="cases_case_open_by_due",
            ),
            # The open cases newest first (``status_group=open`` lists, with or without a
            # text): at 3 M cases a text search walked every case by date, ~20x the open
            # ones. Its companion, a word index over the open titles, is in migration 0017.
            models.Index(
                fields=["-created_at", "-id"],
                condition=~models.Q(status__in=CLOSED_ORDER),
                name="cases_case_open_recent",
            ),
            # The map (queries.open_on_map): the open cases placed in a box, by position.
            models.Index(
                fields=["lng", "lat"],
                condition=~models.Q(status__in=CLOSED_ORDER) & models.Q(lat__isnull=False),
                name="cases_case_open_on_map",
            ),
            # The staff map's grid counts (queries.open_counts_by_grid): the open cases
            # with a grid but no point, which the kept counters do not hold.
            models.Index(fields=["grid"], condition=OPEN_UNPLACED, name="cases_case_open_unplaced"),
            # The work queues (queries.triage_queue, inbox, callbacks), each read in its own
            # order from its own small partial index: a page is the first rows in scope,
            # not a sort of every case waiting. (An ascending index keeps NULLs last on
            # PostgreSQL, as the queues' ``due_at NULLS LAST``; SQLite has no NULLS LAST
            # in an index.) Each also carries (``INCLUDE``) what its scope, filters and
            # counts read, so the page's ids and its counts are index-only scans: a count
            # of 10,000 waiting cases visited 10,000 rows (``SCOPE_COLUMNS``).
            models.Index(
                URGENCY_RANK,
                models.F("due_at"),
                models.F("created_at"),
                models.F("id"),
                include=[*SCOPE_COLUMNS, "urgency", "needs_placement", "warn_at"],
                condition=models.Q(status=Status.REGISTERED.value),
                name="cases_case_triage_order",
            ),
            # The inbox's index also carries what its scope, light tabs and counts read
            # (department, author, warning time, status), so its counts and page are
            # index-only scans rather than a heap visit per waiting case of the city.
            models.Index(
                fields=["due_at", "created_at", "id"],
                include=["main_department", "created_by", "warn_at", "status"],
                condition=models.Q(status__in=INBOX_STATUSES),
                name="cases_case_inbox_order",
            ),
            models.Index(
                fields=["due_at", "created_at", "id"],
                include=[*SCOPE_COLUMNS, "status", "callback_next_at", "rating"],
                condition=models.Q(status__in=CALLBACK_STATUSES),
                name="cases_case_callback_order",
            ),
            # The dispatchers' "unsatisfied callbacks" (queries.work_counts): a few of the
            # rated cases, which the callback index would read all of.
            models.Index(
                fields=["due_at", "created_at", "id"],
                include=SCOPE_COLUMNS,
                condition=models.Q(status=Status.RATED.value, rating=Rating.UNSATISFIED.value),
                name="cases_case_unsatisfied",
            ),
            # The overdue scan (services.mark_overdue): only the cases it may still mark.
            models.Index(
                fields=["due_at", "id"],
                condition=OVERDUE_UNMARKED,
                name="cases_case_overdue_unmarked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        """Saved with its copies kept current: the centre's path and the title's words
        (when the save writes the owner or the title)."""
        update_fields = kwargs.get("update_fields")
        writes = set(update_fields) if update_fields is not None else None
        self.fill_copies(writes)
        if writes is not None:
            also = {"owner_region": "owner_path", "title": "title_words"}
            kwargs["update_fields"] = writes | {also[f] for f in writes if f in also}
        super().save(*args, **kwargs)

    def fill_copies(self, writes: set[str] | None = None) -> None:
        """The centre's path and the title's words, from the owner and the title (those
        of them in ``writes``; None: both). ``save`` calls it; so does a writer that
        inserts a new case without ``save`` (intake's one statement)."""
        from .words import title_words

        if writes is None or "owner_region" in writes:
            owner = self.owner_region if self.owner_region_id else None
            self.owner_path = owner.path if owner is not None else ""
        if writes is None or "title" in writes:
            self.title_words = title_words(self.title)

    @property
    def status_group(self) -> str:
        return group_of(self.status)

    def get_status_display(self) -> str:  # type: ignore[no-redef]  # Django's, faster
        """The status's label (Django's own builds a dict of the choices on every call,
        hashing each lazy label, which translates it: a twentieth of an intake's CPU)."""
        return str(_STATUS_LABELS.get(self.status, self.status))

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def awaits_placement(self) -> bool:
        """Flagged for placement and still waiting for triage, where it can be placed."""
        return self.needs_placement and self.status == Status.REGISTERED

    def light(self, now=None) -> str:
        """Green on time, yellow close to the deadline, red overdue."""
        return light_at(self.due_at, self.warn_at, now or timezone.now(), is_open=self.is_open)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.reporter_phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.reporter_name)

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lng is not None


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise, not enough to call."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


class CaseEvent(models.Model):
    """One thing that happened to a case. Append-only: never edited or deleted."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    public = models.BooleanField(_("shown to the citizen"), default=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("case events are append-only")


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"cases/{instance.case.created_at:%Y/%m}/{instance.case.number}/{filename}"


class Attachment(models.Model):
    """A file on a case: a photo at intake, a document with a reply."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class DailySequence(models.Model):
    """Per-day counter behind human-readable case numbers (20261122-0001)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class IntakeKey(models.Model):
    """An idempotency key a client sent with a new case (the ``Idempotency-Key``
    header, or the hidden key of an offline-capable form).

    Sending the same report again after a lost connection returns the case made the
    first time instead of a second one. Keys are per account (or per client system).
    """

    key = models.CharField(_("key"), max_length=64)
    owner = models.CharField(
        _("sender"), max_length=80, help_text=_("user:<id>, or the client system's name")
    )
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="cases_intake_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key}"


class OpenMapCount(models.Model):
    """The open cases placed on the map, per grid (``region_path``) and owning centre.

    Kept by database triggers on ``cases_case`` (migration 0013), in the same statement as
    any change of a case's status, place, centre or overdue mark, bulk updates included:
    so it always equals what a count over the cases would give. The map at district zoom
    (``queries.open_on_map``) sums these rows at each grid's centroid instead of passing
    over the open cases. ``overdue_cases`` counts those marked overdue by the overdue scan.
    """

    region_path = models.CharField(max_length=255)
    owner = models.BigIntegerField(default=0, help_text="owner_region_id, 0 for none")
    open_cases = models.IntegerField(default=0)
    overdue_cases = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_path", "owner"], name="open_map_count_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_path or '-'} {self.owner}: {self.open_cases}"


class CaseAccess(models.Model):
    """Who may see a case besides its scope, and why: a department or one person.

    Upper apps write these rows through ``cases.access.grant_access`` — the whistle
    for the departments it summons; mediation and incident command for theirs — so
    ``scope.visible_cases`` never needs to know those apps. A department's handlers see
    the case; a person sees it whatever their grants. Rows are kept: the access is the
    record of why someone saw a case.
    """

    class Reason(models.TextChoices):
        SUMMONED = "summoned", _("summoned (whistle)")
        CO_HANDLING = "co_handling", _("co-handling")
        MEDIATION = "mediation", _("mediation")
        INCIDENT = "incident", _("incident command")
        INSPECTION = "inspection", _("copied to discipline inspection")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="accesses"
    )
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="case_accesses",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="case_accesses",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case access")
        verbose_name_plural = _("case accesses")
        indexes = [
            models.Index(fields=["department", "case"], name="caseaccess_department_case"),
            models.Index(fields=["user", "case"], name="caseaccess_user_case"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(department__isnull=True, user__isnull=False)
                | models.Q(department__isnull=False, user__isnull=True),
                name="caseaccess_department_xor_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department or self.user} ({self.reason})"


class ReplyTemplate(models.Model):
    """A standard phrase (常用语) for replies and answers, offered on the forms.

    For one category and everything below it (none: every category), owned by one
    department (none: shared by all). ``{case_number}``, ``{date}`` and ``{category}``
    in the text are filled in when it is offered for a case (``cases.phrases``).
    """

    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("wording"), max_length=2000)
    category = models.ForeignKey(
        "routing.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_templates",
        help_text=_("Offered for this category and those below it; empty: for every case."),
    )
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_templates",
        help_text=_("Offered to this department's staff only; empty: shared by everyone."),
    )
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class CaseExport(models.Model):
    """One Excel export of a case list: who exported which filter, how many rows.

    The row is the audit record of the export and is kept; it is also the job that
    writes the file. A short list is written at once, in the request; a long one by
    ``civicgrid export-worker``, which claims the row, stores its progress here (any
    web process reads it) and the file under ``DATA_DIR/exports``. Only the person who
    asked may download it; the file is deleted after ``exports.KEEP_FILES``.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being written")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("file deleted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("list"), max_length=30)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    description = models.CharField(_("filters in words"), max_length=500, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    written = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case export")
        verbose_name_plural = _("case exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="cases_export_state")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.source} ({self.written})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.written * 100 // self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED, self.State.EXPIRED)
