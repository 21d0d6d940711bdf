from django.db import models
from django.utils.translation import gettext_lazy as _


class TriageModelQuerySet(models.QuerySet):
    def active(self) -> "TriageModelQuerySet":
        return self.filter(is_active=True)


class TriageModel(models.Model):
    """One trained version of the category classifier, its file and its evaluation.

    The file lives under ``DATA_DIR / "models"``; at most one row is active, and
    suggestions come from it (or from the model shipped in the package when none is).
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    path = models.CharField(_("file"), max_length=500)
    metrics = models.JSONField(_("evaluation"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = TriageModelQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="triage_one_active_model",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def macro_f1(self) -> float | None:
        return self.metrics.get("macro_f1")


class Outcome(models.TextChoices):
    AUTO_DISPATCHED = "auto_dispatched", _("dispatched automatically")
    SUGGESTED = "suggested", _("below the threshold: suggested to the dispatcher")
    NO_THRESHOLD = "no_threshold", _("automatic dispatch is off for this category")
    DISAGREES = "disagrees", _("the model disagrees with the category given at intake")
    NO_RULE = "no_rule", _("no routing rule gives a department here")
    OUT_OF_SCOPE = "out_of_scope", _("the department has no jurisdiction over the place")
    NEEDS_LEAF = "needs_leaf", _("no single subcategory fits the words: the dispatcher chooses")
    NEEDS_PLACEMENT = "needs_placement", _("the case must be placed on the map first")
    UNKNOWN_CATEGORY = "unknown_category", _("the suggested category is not in the catalogue")
    TAKEN = "taken", _("a dispatcher acted on the case first")


class CaseTriage(models.Model):
    """What the triage model made of a new case, once, and what was done with it.

    Written by the triage worker (``civicgrid triage-worker``) off the request path;
    the row's existence marks the case as seen, so two workers never both act on it.
    ``suggestions`` is the ranked top 3: ``[{"category": id, "code", "name", "p"}]``.
    """

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="triage"
    )
    model_version = models.PositiveIntegerField(
        _("model version"), default=0, help_text=_("0: the model shipped with civicgrid")
    )
    suggestions = models.JSONField(_("suggestions"), default=list)
    category = models.ForeignKey(
        "routing.Category",
        verbose_name=_("most likely category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confidence = models.FloatField(_("confidence"), default=0.0)
    threshold = models.FloatField(_("threshold applied"), null=True, blank=True)
    department = models.ForeignKey(
        "routing.Department",
        verbose_name=_("suggested department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("triage result")
        verbose_name_plural = _("triage results")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_outcome_display()}"

    @property
    def auto_dispatched(self) -> bool:
        return self.outcome == Outcome.AUTO_DISPATCHED
