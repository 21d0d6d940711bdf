"""Scores of a classifier on labelled messages, and the confusion matrix as a picture."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

COVERAGE = 0.8
# Per category, the confidence above which this share of the model's picks were right:
# a starting point for the category's auto-dispatch threshold.
TARGET_PRECISION = 0.99
# Fonts that carry Chinese glyphs on common Linux installs; without one the matrix is
# labelled 1…n and the report's "labels" list gives the names.
_CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)

Suggestions = Sequence[Sequence[tuple[str, float]]]


def score(truth: Sequence[str], suggestions: Suggestions, labels: Sequence[str]) -> dict:
    """Accuracy, macro-F1, top-3 accuracy, precision at 80 % coverage, per-class figures.

    ``suggestions`` holds, per message, the ranked ``(label, probability)`` list. The
    auto-dispatch threshold is the highest confidence that still covers ≥ 80 % of the
    messages; ``precision_at_80_coverage`` is the accuracy on the messages above it.
    """
    y = np.array(truth)
    pred = np.array([s[0][0] for s in suggestions])
    conf = np.array([s[0][1] for s in suggestions])
    top3 = np.mean([t in [lab for lab, _ in s[:3]] for t, s in zip(y, suggestions, strict=True)])
    threshold = float(np.sort(conf)[::-1][int(np.ceil(COVERAGE * len(conf))) - 1])
    covered = conf >= threshold
    labels = list(labels)
    p, r, f, n = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    thresholds = {lab: class_threshold(y, pred, conf, lab) for lab in labels}
    return {
        "n": len(y),
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)),
        "top3_accuracy": float(top3),
        "precision_at_80_coverage": float(np.mean(pred[covered] == y[covered])),
        "coverage": float(np.mean(covered)),
        "threshold_at_80_coverage": threshold,
        **coverage_at_precision(y, pred, conf),
        "per_class": {
            lab: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(n[i]),
                **thresholds[lab],
            }
            for i, lab in enumerate(labels)
        },
        "labels": labels,
        "confusion": confusion_matrix(y, pred, labels=labels).tolist(),
    }


def coverage_at_precision(y, pred, conf, target: float = TARGET_PRECISION) -> dict:
    """The largest share of cases auto-dispatch could take (most confident first) while
    ≥ ``target`` of them go to the right category, and the threshold that takes it."""
    order = np.argsort(-conf, kind="stable")
    right = (pred == y)[order]
    precision = np.cumsum(right) / np.arange(1, len(right) + 1)
    ok = np.flatnonzero(precision >= target)
    if not len(ok):
        return {"coverage_at_99_precision": 0.0, "threshold_at_99_precision": None}
    k = ok[-1]
    return {
        "coverage_at_99_precision": float((k + 1) / len(right)),
        "threshold_at_99_precision": float(conf[order][k]),
    }


def class_threshold(y, pred, conf, label: str, target: float = TARGET_PRECISION) -> dict:
    """The lowest confidence at which the model's picks of ``label`` were still right
    ≥ ``target`` of the time, and the share of its picks that clears it.

    None when no prefix of at least 10 picks reaches the target.
    """
    mine = pred == label
    order = np.argsort(-conf[mine], kind="stable")
    right = (y[mine] == label)[order]
    if not len(right):
        return {"threshold_p99": None, "coverage_p99": 0.0}
    precision = np.cumsum(right) / np.arange(1, len(right) + 1)
    ok = np.flatnonzero((precision >= target) & (np.arange(1, len(right) + 1) >= 10))
    if not len(ok):
        return {"threshold_p99": None, "coverage_p99": 0.0}
    k = ok[-1]
    return {
        "threshold_p99": float(np.round(conf[mine][order][k], 4)),
        "coverage_p99": float((k + 1) / len(right)),
    }


def _font(size: int):
    from PIL import ImageFont

    for path in _CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size), False


def draw_confusion(confusion: list[list[int]], labels: Sequence[str], out: Path) -> Path:
    """Write the confusion matrix (rows: true, columns: predicted) as a PNG."""
    from PIL import Image, ImageDraw

    font, has_cjk = _font(14)
    names = list(labels) if has_cjk else [str(i + 1) for i in range(len(labels))]
    cell, margin, n = 56, 130, len(labels)
    image = Image.new("RGB", (margin + cell * n + 20, margin + cell * n + 20), "white")
    draw = ImageDraw.Draw(image)
    matrix = np.array(confusion)
    row_totals = matrix.sum(axis=1, keepdims=True).clip(min=1)
    for i in range(n):
        draw.text((8, margin + i * cell + cell // 2 - 8), names[i], fill="black", font=font)
        header = f"{names[i][:2]}\n{names[i][2:4]}" if has_cjk else names[i]
        draw.text((margin + i * cell + 6, margin - 42), header, fill="black", font=font)
        for j in range(n):
            share = matrix[i, j] / row_totals[i, 0]
            shade = int(255 - 200 * share)
            box = (
                margin + j * cell,
                margin + i * cell,
                margin + (j + 1) * cell,
                margin + (i + 1) * cell,
            )
            draw.rectangle(box, fill=(shade, shade, 255), outline="grey")
            colour = "white" if share > 0.5 else "black"
            draw.text((box[0] + 6, box[1] + 18), str(matrix[i, j]), fill=colour, font=font)
    draw.text((margin, 8), "true ↓  predicted →", fill="black", font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out)
    return out
