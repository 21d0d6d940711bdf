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
