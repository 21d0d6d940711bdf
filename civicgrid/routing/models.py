"""Who handles what, and how fast: departments, categories, routing rules, time limits."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    CENTRE = "centre", _("command centre")
    BUREAU = "bureau", _("government bureau")
    STREET = "street", _("street / town office")
    COMMUNITY = "community", _("community office")
    COMPANY = "company", _("company / utility")


class Department(models.Model):
    """A handling unit (承办单位): bureau, street office, utility or centre.

    ``jurisdiction`` lists the regions whose cases it may handle; ``stationed`` marks a
    department with staff in the command centre (派驻).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=DepartmentKind.choices)
    stationed = models.BooleanField(_("stationed in the centre"), default=False)
    jurisdiction = models.ManyToManyField(
        "regions.Region", verbose_name=_("jurisdiction"), blank=True, related_name="departments"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("seat region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seated_departments",
        help_text=_("For centres and street offices: the region they serve."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RequestType(models.TextChoices):
    INQUIRY = "inquiry", _("inquiry")
    HELP = "help", _("request for help")
    COMPLAINT = "complaint", _("complaint")
    REPORT = "report", _("report")
    SUGGESTION = "suggestion", _("suggestion")
    PRAISE = "praise", _("praise")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("urgent")
    SAME_DAY = "same_day", _("same day")
    NORMAL = "normal", _("normal")


class Category(models.Model):
    """A node of the coded category taxonomy (事项分类); admins edit it.

    ``extra_fields`` lists what intake must ask for this category, e.g.
    ``[{"name": "plate", "label": "车牌号", "required": true}]``.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    request_types = models.JSONField(
        _("allowed request types"),
        default=list,
        blank=True,
        help_text=_("Empty means every request type is allowed."),
    )
    default_urgency = models.CharField(
        _("default urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    extra_fields = models.JSONField(_("extra fields"), default=list, blank=True)
    auto_dispatch_threshold = models.FloatField(
        _("auto-dispatch threshold"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(1.0)],
        help_text=_(
            "When the triage model is at least this confident (0.5–1.0) that a new case "
            "belongs here, the case is dispatched without waiting for a dispatcher. Empty: "
            "the parent category's threshold applies; none at all: never automatic."
        ),
    )
    never_public = models.BooleanField(
        _("never published"),
        default=False,
        help_text=_(
            "Cases of this category and of all its subcategories never leave through a "
            "public door (Open311, the results page, the list of reports nearby): for "
            "private matters such as marriage, family or domestic violence."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def lineage(self) -> list["Category"]:
        """This category and its ancestors, most specific first."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def effective_threshold(self) -> float | None:
        """The auto-dispatch threshold of this category or its nearest ancestor."""
        for node in self.lineage():
            if node.auto_dispatch_threshold is not None:
                return node.auto_dispatch_threshold
        return None

    @property
    def is_private(self) -> bool:
        """Never published: this category or one of its ancestors is marked so."""
        return any(node.never_public for node in self.lineage())

    def allows(self, request_type: str) -> bool:
        return not self.request_types or request_type in self.request_types


class RoutingRule(models.Model):
    """Category × region → main department and co-handlers (权责清单).

    The rule for the most specific region wins; a rule without a region applies
    everywhere. A rule on a parent category covers its children.
    """

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="rules"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    main_department = models.ForeignKey(
        Department,
        verbose_name=_("main department"),
        on_delete=models.PROTECT,
        related_name="main_rules",
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("co-handling departments"), blank=True, related_name="co_rules"
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="one_rule_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.region or '*'} → {self.main_department}"


class Step(models.TextChoices):
    TRIAGE = "triage", _("triage and dispatch")
    ACKNOWLEDGE = "acknowledge", _("acknowledge")
    HANDLE = "handle", _("handle and reply")
    VERIFY = "verify", _("verify on site")
    CALLBACK = "callback", _("callback")
    REVIEW = "review", _("redo or review after an unsatisfied rating")
    RETURN_REVIEW = "return", _("review a department's return")


class LimitUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")
    DAYS = "days", _("calendar days")


class TimeLimitPolicy(models.Model):
    """How long a step may take, per category (or any) and urgency."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="time_limits",
        help_text=_("Empty: the default for every category."),
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=14, choices=LimitUnit.choices)
    yellow_at = models.FloatField(
        _("yellow at"),
        default=0.8,
        help_text=_("Share of the time limit after which the light turns yellow."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("time-limit policy")
        verbose_name_plural = _("time-limit policies")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "urgency", "step"], name="one_limit_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} {self.urgency} {self.step}: {self.amount} {self.unit}"


class StartLevel(models.TextChoices):
    LOWEST = "lowest", _("the lowest staffed centre where the case lies")
    COMMUNITY = "community", _("the community workstation")
    STREET = "street", _("the street sub-centre")
    DISTRICT = "district", _("the district centre")
    UNIT = "unit", _("straight to a unit")


class LevelRule(models.Model):
    """Where a new case of a category starts (分级受理): at the lowest centre able to
    handle it, at a fixed level, or dispatched straight to a unit (a utility).

    A rule without a category is the default for every category; a rule on a parent
    category covers its children. With no rule at all, cases start at the lowest
    staffed centre.
    """

    category = models.OneToOneField(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="level_rule",
        help_text=_("Empty: the default for every category."),
    )
    start = models.CharField(
        _("starts at"), max_length=10, choices=StartLevel.choices, default=StartLevel.LOWEST
    )
    unit = models.ForeignKey(
        Department,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="level_rules",
        help_text=_("Only for “straight to a unit”: the unit the case is dispatched to."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("starting level")
        verbose_name_plural = _("starting levels")

    def __str__(self) -> str:
        return f"{self.category or '*'} → {self.get_start_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start == StartLevel.UNIT and self.unit_id is None:
            raise ValidationError({"unit": _("Choose the unit the case goes straight to.")})
        if self.start != StartLevel.UNIT and self.unit_id is not None:
            raise ValidationError({"unit": _("A unit is only chosen for “straight to a unit”.")})
        if self.category_id is None:
            others = LevelRule.objects.filter(category__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    {"category": _("There is already a default rule for every category.")}
                )
