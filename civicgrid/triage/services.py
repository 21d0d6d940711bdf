"""Category suggestions for new cases, and training and activating model versions."""

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from civicgrid.core.snapshot import Snapshot

from . import model as triage_model
from . import training
from .dataset import Message, join_text
from .evaluation import draw_confusion
from .models import TriageModel


def models_dir() -> Path:
    """Where trained versions are written: ``DATA_DIR / "models"``."""
    return Path(settings.DATA_DIR) / "models"


def _active_version() -> tuple:
    return tuple(TriageModel.objects.active().values_list("version", "path"))


def _load_active():
    row = TriageModel.objects.active().values_list("path", flat=True).first()
    return training.load(Path(row) if row else training.SHIPPED_MODEL)


# Another process may activate a model: the snapshot re-checks the active row.
_active = Snapshot(_active_version, _load_active, every=10.0)


def active_pipeline():
    """The active model's pipeline, or the shipped demo model when none is active."""
    return _active.get()


def active_version() -> int:
    """Version number of the model in use; 0 for the model shipped in the package."""
    _pipeline, rows = _active.get_with_version()
    return rows[0][0] if rows else 0


def active_metrics() -> dict:
    """The held-out evaluation of the model in use (per-class figures included)."""
    row = TriageModel.objects.active().first()
    return row.metrics if row else training.load_metrics(training.SHIPPED_MODEL)


def suggested_thresholds() -> dict[str, float]:
    """Per first-level category: the confidence above which the model in use was right
    ≥ 99 % of the time on held-out messages (categories without one are left out)."""
    per_class = active_metrics().get("per_class") or {}
    return {
        name: figures["threshold_p99"]
        for name, figures in per_class.items()
        if figures.get("threshold_p99") is not None
    }


def suggest_categories(text_title: str, text_detail: str = "") -> list[tuple[str, float]]:
    """The three most likely first-level categories with calibrated probabilities,
    most likely first."""
    rows = triage_model.rows([text_title], [join_text(text_title, text_detail)])
    return triage_model.predict_top(active_pipeline(), rows, k=3)[0]


def train_and_register(
    train: Sequence[Message],
    test: Sequence[Message],
    *,
    activate: bool = False,
    note: str = "",
    step: Callable[[str], None] = lambda _: None,
) -> tuple[TriageModel, dict | None]:
    """Train a new version, write it with its report, and activate it unless it scores
    worse (macro-F1 on ``test``) than the model in use; ``activate`` forces it.

    Returns the new row and the evaluation of the model it was compared with.
    """
    pipeline = training.fit(train, step)
    step("evaluation")
    metrics = training.evaluate(pipeline, test)
    current = training.evaluate(active_pipeline(), test) if test else None
    version = (TriageModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    folder = models_dir() / f"v{version}"
    step("saving")
    path = training.save(pipeline, folder / "model.joblib", metrics)
    draw_confusion(metrics["confusion"], metrics["labels"], folder / "confusion.png")
    report = {"version": version, "metrics": metrics, "compared_with": current}
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    better = current is None or metrics["macro_f1"] >= current["macro_f1"]
    with transaction.atomic():
        if activate or better:
            TriageModel.objects.active().update(is_active=False)
        row = TriageModel.objects.create(
            version=version,
            path=str(path),
            metrics=_summary(metrics),
            is_active=activate or better,
            note=note,
        )
    _active.forget()
    return row, current


def activate(row: TriageModel) -> TriageModel:
    """Put ``row`` in use in place of the active version (e.g. to roll back)."""
    with transaction.atomic():
        TriageModel.objects.active().exclude(pk=row.pk).update(is_active=False)
        TriageModel.objects.filter(pk=row.pk).update(is_active=True)
    _active.forget()
    row.refresh_from_db()
    return row


def _summary(metrics: dict) -> dict:
    keys = (
        "n",
        "accuracy",
        "macro_f1",
        "top3_accuracy",
        "precision_at_80_coverage",
        "threshold_at_80_coverage",
        "per_class",
    )
    return {k: metrics[k] for k in keys}
