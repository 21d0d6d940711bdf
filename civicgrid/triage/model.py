"""The triage classifier: features, training and prediction.

The product model reads a message as three views, each a TF-IDF vector: character
1–3-grams of the title (weighted up: titles name the problem), character 1–3-grams of
title + detail, and jieba words of title + detail. A linear SVM on their union is
calibrated (Platt scaling by cross-validation) so ``predict_top`` gives probabilities a
threshold can be set on. The baseline the bench compares against is one character
n-gram TF-IDF and a plain linear SVM.
"""

import logging
import threading
from collections.abc import Sequence

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

_jieba_lock = threading.Lock()
_jieba_ready = False


def cut_words(text: str) -> list[str]:
    """jieba words (bundled dictionary, loaded once, quietly), without punctuation."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return [w for w in jieba.lcut(text) if w.strip() and not _is_punct(w)]


def _is_punct(word: str) -> bool:
    return len(word) == 1 and not word.isalnum()


# Long details repeat themselves; their first few hundred characters carry the category
# as well as the whole (measured: same macro-F1) at a third of the time.
TEXT_LIMIT = 300


class Column(BaseEstimator, TransformerMixin):
    """Picks the title (0) or the whole text (1) from ``(title, text)`` pairs, cut to
    ``limit`` characters when given."""

    def __init__(self, index: int = 0, limit: int | None = None):
        self.index = index
        self.limit = limit

    def fit(self, X, y=None):  # noqa: N803 - scikit-learn's names
        return self

    def transform(self, X):  # noqa: N803
        return [row[self.index][: self.limit] for row in X]


def _view(index: int, vectorizer: TfidfVectorizer) -> Pipeline:
    limit = TEXT_LIMIT if index == 1 else None
    return Pipeline([("column", Column(index, limit)), ("tfidf", vectorizer)])


def product_pipeline(max_features: int = 60_000) -> Pipeline:
    """Untrained product model; input rows are ``(title, title + detail)`` pairs."""
    features = FeatureUnion(
        [
            ("title_chars", _view(0, _chars(max_features // 3))),
            ("text_chars", _view(1, _chars(max_features))),
            ("text_words", _view(1, _words(max_features // 2))),
        ],
        transformer_weights={"title_chars": 1.0, "text_chars": 1.0, "text_words": 0.8},
    )
    svm = LinearSVC(C=0.5, class_weight="balanced")
    classifier = CalibratedClassifierCV(svm, method="sigmoid", cv=5, ensemble=False)
    return Pipeline([("features", features), ("classifier", classifier)])


def baseline_pipeline() -> Pipeline:
    """The plain character n-gram TF-IDF + linear SVM the bench measures against."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    return Pipeline([("column", Column(1)), ("tfidf", vectorizer), ("svm", LinearSVC())])


def _chars(max_features: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char",
        ngram_range=(1, 3),
        sublinear_tf=True,
        min_df=2,
        max_features=max_features,
        dtype=np.float32,
    )


def _words(max_features: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        tokenizer=cut_words,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=2,
        max_features=max_features,
        dtype=np.float32,
    )


def rows(titles: Sequence[str], texts: Sequence[str]) -> list[tuple[str, str]]:
    """Model input rows from parallel title and full-text lists."""
    return list(zip(titles, texts, strict=True))


def probabilities(model: Pipeline, rows_: list[tuple[str, str]]) -> np.ndarray:
    """``model.predict_proba(rows_)``, computed directly for the product model.

    One case at a time, scikit-learn's input checks in the calibrated classifier cost
    about a fifth of the prediction; the arithmetic is the same: the SVM's decision
    value per class, Platt's sigmoid, normalised over the classes.
    """
    calibrated = getattr(model.named_steps.get("classifier"), "calibrated_classifiers_", [])
    if len(calibrated) != 1 or calibrated[0].method != "sigmoid":
        return model.predict_proba(rows_)
    svm, calibrators = calibrated[0].estimator, calibrated[0].calibrators
    features = model.named_steps["features"].transform(rows_)
    decision = np.asarray(features @ svm.coef_.T + svm.intercept_, dtype=np.float64)
    a = np.array([c.a_ for c in calibrators])
    b = np.array([c.b_ for c in calibrators])
    proba = expit(-(a * decision + b))
    total = proba.sum(axis=1, keepdims=True)
    uniform = np.full_like(proba, 1 / proba.shape[1])
    return np.divide(proba, total, out=uniform, where=total != 0)


def predict_top(model: Pipeline, rows_: list[tuple[str, str]], k: int = 3):
    """For each row, the ``k`` most likely ``(label, probability)``, most likely first."""
    proba = probabilities(model, rows_)
    classes = model.classes_
    order = np.argsort(-proba, axis=1)[:, :k]
    return [
        [(str(classes[j]), float(p[j])) for j in idx] for p, idx in zip(proba, order, strict=True)
    ]
