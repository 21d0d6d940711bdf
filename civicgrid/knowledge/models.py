"""The knowledge base (知识库): answers operators give directly, and how they change.

An entry is one answer to one kind of question, valid for a period. Departments propose
new entries and changes (``Proposal``); an editor approves or rejects them. Every change
to an entry is logged (``EntryChange``), which the statistics count. How often an entry
was used is counted as each ``answer_directly`` event is recorded (the event names the
entry in its data): in all on the entry (``use_count``), per day in ``DailyUse``.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def in_force(day: date) -> Q:
    """Active entries whose validity covers ``day``."""
    return Q(is_active=True, valid_from__lte=day) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


class EntryQuerySet(models.QuerySet):
    def valid(self, day: date | None = None) -> "EntryQuerySet":
        """Active entries whose validity covers ``day`` (today by default)."""
        return self.filter(in_force(day or timezone.localdate()))


class Entry(models.Model):
    """One answer in the knowledge base (知识库条目), valid from ``valid_from`` until
    ``valid_to`` (open-ended when empty).

    ``keywords`` holds other ways callers put the question, one per line. ``search_text``
    is derived (the search tokens of question, keywords and answer) and rewritten by the
    services whenever those change.
    """

    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    category = models.ForeignKey(
        "routing.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_entries",
    )
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_entries",
        help_text=_("The department the answer comes from and that keeps it up to date."),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: valid until withdrawn.")
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where the answer comes from: a reply, a policy document, a regulation."),
    )
    keywords = models.TextField(
        _("other phrasings"), blank=True, help_text=_("Other ways callers ask, one per line.")
    )
    search_text = models.TextField(editable=False, blank=True)
    # How many calls were answered with the entry, and the last one: counted as each
    # direct answer is recorded (``events.count_use``), so a list of entries shows its
    # uses without reading every answer in the case log (docs/performance.md).
    use_count = models.PositiveIntegerField(_("uses"), default=0, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("knowledge-base entry")
        verbose_name_plural = _("knowledge-base entries")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="knowledge_entry_valid_period",
            )
        ]

    def __str__(self) -> str:
        return self.question

    def is_valid_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return (
            self.is_active
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )

    @property
    def is_valid_now(self) -> bool:
        return self.is_valid_on()

    @property
    def phrasings(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


class DailyUse(models.Model):
    """The direct answers of one day (local date) that cited one entry, or cited none
    (``entry`` empty): the statistics' last 30 days read at most 30 rows per entry used,
    not every answer of those days in the case log.

    Added to as each direct answer is recorded (``events.count_use``); migration ``0003``
    filled it from the log.
    """

    day = models.DateField(_("day"))
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answers = models.PositiveIntegerField(_("direct answers"), default=0)

    class Meta:
        verbose_name = _("direct answers of a day")
        verbose_name_plural = _("direct answers per day")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "entry"],
                condition=Q(entry__isnull=False),
                name="knowledge_dailyuse_day_entry",
            ),
            models.UniqueConstraint(
                fields=["day"], condition=Q(entry__isnull=True), name="knowledge_dailyuse_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} #{self.entry_id or '-'}: {self.answers}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("awaiting review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class Proposal(models.Model):
    """A department's proposal (更新申请): a new entry (``entry`` empty) or a change to one.

    It carries the whole proposed entry, so the editor sees and approves exactly what will
    be stored. Reviewed once: the status moves from pending only by a conditional update.
    """

    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proposals",
        help_text=_("Empty for a proposed new entry."),
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    category = models.ForeignKey(
        "routing.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    keywords = models.TextField(_("other phrasings"), blank=True)
    note = models.TextField(_("reason for the proposal"), blank=True)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="knowledge_proposals",
    )
    proposer_department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("proposing department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_proposals",
    )
    # When the proposal was written, the entry was as of this moment: the editor is told
    # if it changed since.
    entry_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("knowledge-base proposal")
        verbose_name_plural = _("knowledge-base proposals")
        ordering = ["-created_at", "-id"]
        permissions = [("review_proposal", _("Can approve or reject knowledge-base proposals"))]

    def __str__(self) -> str:
        return self.question

    @property
    def is_new_entry(self) -> bool:
        return self.entry_id is None

    @property
    def entry_changed_since(self) -> bool:
        """The entry was edited after this proposal was written."""
        return bool(
            self.entry_id
            and self.entry_updated_at
            and self.entry.updated_at > self.entry_updated_at
        )


class ChangeKind(models.TextChoices):
    CREATED = "created", _("new entry")
    CHANGED = "changed", _("entry changed")
    WITHDRAWN = "withdrawn", _("entry withdrawn")


class EntryChange(models.Model):
    """One update of the knowledge base (知识库更新): an entry created, changed or
    withdrawn, by whom, and through which proposal if any. Append-only."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="changes"
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices)
    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(_("via"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("knowledge-base update")
        verbose_name_plural = _("knowledge-base updates")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind} {self.at:%Y-%m-%d}"
