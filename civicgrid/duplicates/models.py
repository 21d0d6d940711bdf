"""Neighbouring grids, supporters (+1) of a case, and hot issues (热点)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.models import Channel, mask_name, mask_phone

from . import fading


class GridNeighbour(models.Model):
    """Two grids whose boundaries touch (stored both ways round).

    Built from the grid polygons by ``build_grid_neighbours`` (after every region import
    and by ``civicgrid build-grid-neighbours``); duplicate search looks in a case's grid
    and its neighbours.
    """

    grid = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="neighbour_links"
    )
    neighbour = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("neighbouring grid")
        verbose_name_plural = _("neighbouring grids")
        constraints = [
            models.UniqueConstraint(fields=["grid", "neighbour"], name="grid_neighbour_once")
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} ↔ {self.neighbour_id}"


class Supporter(models.Model):
    """A person who has the same problem as an open case and joined it (+1, 附议).

    Instead of filing a duplicate, the caller is counted on the case. Only a keyed hash
    of the phone is kept (so the same person cannot join twice) and a masked contact to
    show; supporters follow the case but are not called back one by one.
    """

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="supporters"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    phone_hash = models.CharField(max_length=64)
    CONTACT_CHARS = 40
    contact = models.CharField(_("contact (masked)"), max_length=CONTACT_CHARS, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "phone_hash"], name="support_a_case_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +1 {self.contact}"

    @classmethod
    def masked_contact(cls, name: str, phone_digits: str) -> str:
        """``王* 139****1111``, always within the column whatever the input.

        The masked phone is kept whole (it is what staff recognise); the masked name,
        which only repeats its first character, gives way to it.
        """
        phone = mask_phone(phone_digits)[: cls.CONTACT_CHARS]
        room = cls.CONTACT_CHARS - len(phone) - 1
        masked = mask_name(name.strip())[: max(room, 0)]
        return f"{masked} {phone}".strip()


class HotIssue(models.Model):
    """A cluster of recent cases about the same problem in the same place (热点问题).

    Kept by ``refresh_hot_issues``, block by block. ``key`` is the number of the cluster's
    first case, so a link to a hot issue survives a refresh while that case is in it.
    ``heat`` weighs people (reporters, and supporters at a quarter) by how recent their
    report is (``hotissues.heat``), as at ``computed_at``; it fades alike for every
    person, so it is brought to the moment it is shown (``heat_now``) rather than
    rewritten on every issue by every refresh. ``rank`` orders the issues by that heat at
    any moment (``fading.rank``): hottest first is ``-rank``.
    """

    key = models.CharField(_("first case"), max_length=20, unique=True)
    # The block its cases were clustered in (services.block_key): an incremental refresh
    # replaces the issues of the blocks that changed and leaves the others.
    block = models.CharField(max_length=60, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    representative = models.ForeignKey(
        "cases.Case",
        verbose_name=_("representative case"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cases"), related_name="hot_issues", through="HotIssueCase"
    )
    category = models.ForeignKey(
        "routing.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The smallest region holding every case of the issue."),
    )
    region_path = models.CharField(max_length=255, blank=True, db_index=True)
    reports = models.PositiveIntegerField(_("reports"))
    reporters = models.PositiveIntegerField(_("people reporting"))
    supporters = models.PositiveIntegerField(_("supporters"))
    open_cases = models.PositiveIntegerField(_("open cases"))
    reports_this_week = models.PositiveIntegerField(_("reports in the last 7 days"))
    reports_last_week = models.PositiveIntegerField(_("reports 7–14 days ago"))
    heat = models.FloatField(_("heat"))
    rank = models.FloatField(default=0.0, db_default=0.0, db_index=True, editable=False)
    lng = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    first_seen = models.DateTimeField(_("first reported"))
    last_seen = models.DateTimeField(_("last reported"))
    computed_at = models.DateTimeField(_("computed at"))
    # What a later report is compared with, to join it without clustering the block again
    # (hotissues.likeness_to_issue): the members' mean TF-IDF vector {gram: [weight, idf]}
    # and the number of reports of the block it was fitted on.
    terms = models.JSONField(default=dict, blank=True, editable=False)
    documents = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("hot issue")
        verbose_name_plural = _("hot issues")
        ordering = ["-rank", "key"]

    def __str__(self) -> str:
        return f"{self.title} ({self.reports})"

    def save(self, *args, **kwargs):
        self.rank = fading.rank(self.heat, self.computed_at)
        super().save(*args, **kwargs)

    @property
    def heat_now(self) -> float:
        """The heat at this moment (it fades with the half-life since ``computed_at``)."""
        return fading.faded(self.heat, self.computed_at, timezone.now())

    @property
    def trend(self) -> int:
        """+1 rising, -1 falling, 0 steady: this week's reports against last week's."""
        return (self.reports_this_week > self.reports_last_week) - (
            self.reports_this_week < self.reports_last_week
        )


class HotIssueCase(models.Model):
    """A case in a hot issue."""

    hot_issue = models.ForeignKey(HotIssue, on_delete=models.CASCADE)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hot_issue", "case"], name="hot_issue_case_once")
        ]

    def __str__(self) -> str:
        return f"{self.hot_issue_id}: {self.case_id}"


class HotIssueBatch(models.Model):
    """A batch action on the cases of a hot issue (merge, urge all, name a lead unit),
    and what it did to each case.

    Each case went through ``cases.lifecycle.apply`` on its own; the ones it refused
    are kept with the reason. ``key`` is made when the form is shown: the same form sent
    twice (a double click) finds this row and does nothing again.
    """

    class Action(models.TextChoices):
        MERGE = "merge", _("merge into one case")
        URGE = "urge", _("urge all")
        LEAD = "lead", _("name a lead unit")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(_("form key"), max_length=64)
    issue_key = models.CharField(_("hot issue"), max_length=20)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("reason"))
    target = models.CharField(
        _("main case or lead unit"), max_length=100, blank=True, help_text=_("number or name")
    )
    asked = models.PositiveIntegerField(_("cases chosen"), default=0)
    done = models.JSONField(_("cases done"), default=list, blank=True)
    skipped = models.JSONField(_("cases skipped, with the reason"), default=list, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hot-issue batch action")
        verbose_name_plural = _("hot-issue batch actions")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="hot_issue_batch_once")]

    def __str__(self) -> str:
        return f"{self.issue_key} {self.action} ({len(self.done)}/{self.asked})"


class HotIssueRefresh(models.Model):
    """The hot-issue refresh's watermark and what its last run did (one row).

    Every case up to ``last_case_id`` and every supporter up to ``last_supporter_id`` is
    in the issues. ``capped`` counts, per crowded block, the reports left out of its last
    clustering (only the newest ``hotissues.MAX_BLOCK`` of a block are
    compared); the command and the page say so.
    """

    last_case_id = models.BigIntegerField(default=0)
    last_supporter_id = models.BigIntegerField(default=0)
    # Ids just below the watermarks that had no row yet ({"cases": [...], "supporters": [...]}):
    # a transaction that commits late fills them, and the next run reads those rows.
    holes = models.JSONField(default=dict, blank=True)
    days = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    blocks_refreshed = models.PositiveIntegerField(default=0)
    # {block: reports left out} for every crowded block, as of its last clustering.
    capped = models.JSONField(default=dict, blank=True)
    # {block: [case ids]}: new reports like no issue of their block, held (and counted)
    # until the block is clustered again (enough of them, or a group of them) or --full.
    held = models.JSONField(default=dict, blank=True)
    # The reports of the window counted in ``HotIssueGram`` (the N of every IDF).
    documents = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("hot-issue refresh")
        verbose_name_plural = _("hot-issue refreshes")

    def __str__(self) -> str:
        return f"{self.computed_at} ≤ {self.last_case_id}"

    @property
    def capped_reports(self) -> int:
        return sum(self.capped.values())

    @property
    def capped_blocks(self) -> int:
        return len(self.capped)

    @property
    def held_reports(self) -> int:
        return sum(len(ids) for ids in self.held.values())


class HotIssueGram(models.Model):
    """How many reports of the hot-issue window hold an n-gram (its document frequency).

    One table for every block and every worker: a report's TF-IDF vector is the same
    in every block and every run (``hotissues.Idf``). Rebuilt by a full refresh; an
    incremental one adds the new cases' n-grams and takes away those of the cases that
    left the window. ``HotIssueRefresh.documents`` is the number of reports counted.
    """

    gram = models.CharField(max_length=3, primary_key=True)
    # Not "positive": a count taken away first and added back later may dip below 0 for
    # a moment; rows at 0 or below are removed.
    documents = models.IntegerField()

    class Meta:
        verbose_name = _("hot-issue n-gram")
        verbose_name_plural = _("hot-issue n-grams")

    def __str__(self) -> str:
        return f"{self.gram}: {self.documents}"
