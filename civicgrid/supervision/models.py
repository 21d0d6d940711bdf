"""Supervision (督办) and accountability (问责): orders to units about a case, on-site
records, joint reviews with their tasks, and the discipline inspectors' copies."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.fields import user_field


class Level(models.TextChoices):
    """The three levels of an order, lowest first (``RANK``)."""

    URGING = "urging", _("urging (催办)")
    SUPERVISION = "supervision", _("supervision (督办)")
    LISTED = "listed", _("listed supervision (挂牌督办)")


RANK = {Level.URGING: 1, Level.SUPERVISION: 2, Level.LISTED: 3}
LEVELS = sorted(Level, key=lambda level: RANK[level])


def next_level(level: str) -> str | None:
    """The level above ``level``; None at the top."""
    rank = RANK[Level(level)]
    return LEVELS[rank] if rank < len(LEVELS) else None


class OrderStatus(models.TextChoices):
    OPEN = "open", _("awaiting the unit's response")
    RESPONDED = "responded", _("responded")
    OVERDUE = "overdue", _("response overdue")
    CLOSED = "closed", _("closed")


ACTIVE = (OrderStatus.OPEN, OrderStatus.RESPONDED, OrderStatus.OVERDUE)


class Order(models.Model):
    """A supervision order (督办单) to one unit about one case.

    The unit must respond in writing (what was done, by when) before ``due_at`` (working
    time). A unit has at most one active order per case: a higher level raises it in
    place (``level``, ``due_at`` and ``status`` change, the events keep the history).
    """

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="orders"
    )
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: issued by the escalation rule."),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    raised_at = models.DateTimeField(_("last raised at"), null=True, blank=True)
    due_at = models.DateTimeField(_("response due"))
    reason = models.TextField(_("reason"))
    public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("A listed supervision the centre chose to show on the results page."),
    )
    response = models.TextField(_("response"), blank=True)
    done_by = models.DateField(_("done by"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_by = user_field(_("responded by"), optional=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="supervision_order_due"),
            models.Index(fields=["department", "status"], name="supervision_order_unit"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=Q(status__in=["open", "responded", "overdue"]),
                name="one_active_order_per_unit_and_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department} ({self.level})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    def late(self, now=None) -> bool:
        """Not responded to and past its deadline."""
        return (
            self.status in (OrderStatus.OPEN, OrderStatus.OVERDUE)
            and (now or timezone.now()) > self.due_at
        )


class SiteVisit(models.Model):
    """On-site supervision (现场督办): who went, when, what they found; photos are the
    case's attachments linked to the visit's event."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="site_visits"
    )
    visitors = models.CharField(_("who went"), max_length=200)
    visited_at = models.DateTimeField(_("when"))
    findings = models.TextField(_("what was found"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("on-site supervision")
        verbose_name_plural = _("on-site supervisions")
        ordering = ["-visited_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.visited_at:%Y-%m-%d}"


class ReviewKind(models.TextChoices):
    JOINT = "joint", _("joint review (会商)")
    LEADERS = "leaders", _("leader consultation 1+N (提级会商)")


class Review(models.Model):
    """A joint review (会商) with the units, or a "1+N" leader consultation (the same
    record with the leaders listed): the meeting, its decision and a task per unit."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="reviews"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReviewKind.choices)
    held_at = models.DateTimeField(_("held at"))
    leaders = models.CharField(_("leaders present"), max_length=300, blank=True)
    minutes = models.TextField(_("meeting record"))
    decision = models.TextField(_("decision"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("joint review")
        verbose_name_plural = _("joint reviews")
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.held_at:%Y-%m-%d}"


class ReviewTask(models.Model):
    """What one unit must do after a review, and by when."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="tasks"
    )
    department = models.ForeignKey(
        "routing.Department", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.TextField(_("task"))
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review task")
        verbose_name_plural = _("review tasks")
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.department} {self.due_at:%Y-%m-%d}"


class CopyReason(models.TextChoices):
    """Why a case goes to the discipline inspectors (the kinds of copy rule)."""

    CATEGORY = "category", _("a category on the list")
    SECOND_REOPEN = "second_reopen", _("reopened a second time")
    LISTED = "listed", _("listed supervision")
    SUPERVISION = "supervision", _("supervision order (督办) or above")
    REFUSAL = "refusal", _("the unit refused a lawful request (return overruled)")


class CopyRule(models.Model):
    """One configurable rule: when it fires on a case, the case is copied (抄送) to the
    discipline inspectors of its unit. Category rules list their categories (and all
    subcategories)."""

    reason = models.CharField(_("when"), max_length=16, choices=CopyReason.choices, unique=True)
    categories = models.ManyToManyField(
        "routing.Category", verbose_name=_("categories"), blank=True, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("copy rule")
        verbose_name_plural = _("copy rules")

    def __str__(self) -> str:
        return str(self.get_reason_display())


class Copy(models.Model):
    """A case copied to discipline inspection; signed off (销号) once settled."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="inspection"
    )
    reason = models.CharField(_("why"), max_length=16, choices=CopyReason.choices)
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    copied_at = models.DateTimeField(_("copied at"), default=timezone.now)
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_off_by = user_field(_("signed off by"), optional=True)

    class Meta:
        verbose_name = _("copy to discipline inspection")
        verbose_name_plural = _("copies to discipline inspection")
        ordering = ["-copied_at"]
        indexes = [models.Index(fields=["department", "signed_off_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} ({self.reason})"


class Measure(models.TextChoices):
    ENQUIRY = "enquiry", _("enquiry")
    SPOT_CHECK = "spot_check", _("spot check")
    WARNING = "warning", _("warning")
    RECTIFICATION = "rectification", _("rectification order")
    RECOMMENDATION = "recommendation", _("formal recommendation")


class Inspection(models.Model):
    """What an inspector did about a copied case; a rectification order has a deadline."""

    copy = models.ForeignKey(
        Copy, verbose_name=_("copy"), on_delete=models.CASCADE, related_name="measures"
    )
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    text = models.TextField(_("what"))
    due_at = models.DateTimeField(_("rectify by"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection measure")
        verbose_name_plural = _("inspection measures")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.copy_id} {self.measure}"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("under way")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class ProjectQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ProjectStatus.ACTIVE)

    def with_progress(self):
        """Annotate ``milestones_total`` and ``milestones_done``."""
        return self.annotate(
            milestones_total=models.Count("milestones"),
            milestones_done=models.Count("milestones", filter=Q(milestones__done_at__isnull=False)),
        )


class Project(models.Model):
    """A "problem of the month" (未诉先办, 每月一题): a hot issue or a recurring complaint
    taken on before more people call, with an owner unit, milestones and progress.

    ``source`` says where it came from (a hot issue's key, a category's repeat complaints);
    progress is the share of milestones done. The one screen shows the open ones.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("The hot issue or the recurring complaint this takes on."),
    )
    owner = models.ForeignKey(
        "routing.Department",
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(
        _("month"), help_text=_("The first day of the month it is chosen for.")
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    created_by = user_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem of the month")
        verbose_name_plural = _("problems of the month")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> int:
        """Percent of milestones done (needs ``with_progress``); 0 without milestones."""
        total = getattr(self, "milestones_total", 0)
        return round(100 * getattr(self, "milestones_done", 0) / total) if total else 0


class Milestone(models.Model):
    """A step of a project with its due day; done once, by someone, at a time."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = user_field(_("done by"), optional=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    def late(self, today) -> bool:
        return self.done_at is None and self.due_on < today
