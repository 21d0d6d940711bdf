"""Training a classifier on messages, saving it small, loading it back."""

from collections.abc import Callable, Sequence
from pathlib import Path

import joblib
import numpy as np

from . import model as triage_model
from .dataset import Message
from .evaluation import score

FORMAT = 1
SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "model-teddy2020-v1.joblib"


def training_rows(messages: Sequence[Message]) -> tuple[list[tuple[str, str]], list[str]]:
    """Model rows and labels; a message with a detail is also taught by its title alone,
    since many cases arrive with a short title and nothing else."""
    rows = triage_model.rows([m.title for m in messages], [m.text for m in messages])
    labels = [m.label for m in messages]
    titled = [m for m in messages if m.title and m.detail]
    rows += triage_model.rows([m.title for m in titled], [m.title for m in titled])
    labels += [m.label for m in titled]
    return rows, labels


def fit(messages: Sequence[Message], step: Callable[[str], None] = lambda _: None):
    """A trained product pipeline; ``step`` is told each stage as it starts."""
    rows, labels = training_rows(messages)
    pipeline = triage_model.product_pipeline()
    step("features")
    features = pipeline.named_steps["features"].fit(rows, labels)
    step("classifier")
    pipeline.named_steps["classifier"].fit(features.transform(rows), labels)
    return pipeline


def evaluate(pipeline, messages: Sequence[Message]) -> dict:
    """:func:`evaluation.score` of ``pipeline`` on ``messages`` (read as they come)."""
    rows = triage_model.rows([m.title for m in messages], [m.text for m in messages])
    suggestions = triage_model.predict_top(pipeline, rows, k=3)
    truth = [m.label for m in messages]
    # A label the model was never taught still counts (as missed) in the figures.
    labels = [*pipeline.classes_, *sorted(set(truth) - set(pipeline.classes_))]
    return score(truth, suggestions, labels)


def save(pipeline, path: Path, metrics: dict | None = None) -> Path:
    """Write the pipeline compressed; drops what prediction never reads."""
    for _, union_part in pipeline.named_steps["features"].transformer_list:
        vectorizer = union_part.named_steps["tfidf"]
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_
    for calibrated in pipeline.named_steps["classifier"].calibrated_classifiers_:
        svm = calibrated.estimator
        svm.coef_ = svm.coef_.astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(
        {"format": FORMAT, "pipeline": pipeline, "metrics": metrics or {}}, path, compress=3
    )
    return path


def load(path: Path):
    """The pipeline saved at ``path``."""
    return joblib.load(path)["pipeline"]


def load_metrics(path: Path) -> dict:
    """The evaluation saved with the pipeline at ``path`` (empty for old files)."""
    return joblib.load(path).get("metrics") or {}
