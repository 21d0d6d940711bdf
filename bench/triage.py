"""Triage classifier quality and speed on the held-out messages: baseline vs product.

Not a test. Trains both models in the same run on the training split of
``civicgrid/triage/data/messages.csv`` and scores them on its held-out split (split by
message, identical texts merged first)::

    uv run python bench/triage.py

Figures for each model: macro-F1 and accuracy on title + detail (held-out messages that
have a detail) and on titles alone (every held-out message, title only); precision when
auto-dispatch takes ≥ 80 % of the cases (the highest confidence threshold covering 80 %);
top-3 accuracy; milliseconds per case, one case per call, on one core. The baseline is
plain character 1–3-gram TF-IDF + LinearSVC (no probabilities: its confidence is the
top decision value, its top 3 the three highest). Writes
``bench/results/triage-<date>.json``.
"""

import os

# One core: set before numpy/scipy load their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from civicgrid.triage import dataset, training  # noqa: E402
from civicgrid.triage import model as triage_model  # noqa: E402
from civicgrid.triage.evaluation import score  # noqa: E402

GOALS = {
    "macro_f1_title_detail": 0.95,
    "macro_f1_titles": 0.91,
    "precision_at_80_coverage": 0.99,
    "top3_accuracy": 0.995,
    "ms_per_case": 5.0,
}
TIMED_CASES = 300


def baseline_top(pipeline, rows):
    """Ranked suggestions of the baseline; its 'probability' is the SVM decision value."""
    decision = pipeline.decision_function(rows)
    classes = pipeline.classes_
    order = np.argsort(-decision, axis=1)[:, :3]
    return [
        [(str(classes[j]), float(d[j])) for j in idx]
        for d, idx in zip(decision, order, strict=True)
    ]


def views(test):
    with_detail = [m for m in test if m.detail and m.title]
    titled = [m for m in test if m.title]
    return {
        "title_detail": (
            triage_model.rows([m.title for m in with_detail], [m.text for m in with_detail]),
            [m.label for m in with_detail],
        ),
        "titles": (
            triage_model.rows([m.title for m in titled], [m.title for m in titled]),
            [m.label for m in titled],
        ),
    }


def ms_per_case(predict, rows):
    predict(rows[:5])  # warm up (jieba's dictionary, caches)
    sample = rows[:TIMED_CASES]
    start = time.perf_counter()
    for row in sample:
        predict([row])
    return (time.perf_counter() - start) / len(sample) * 1000


def measure(name, pipeline, top, test_views, labels):
    result = {}
    for view, (rows, truth) in test_views.items():
        s = score(truth, top(pipeline, rows), labels)
        result[view] = {
            k: s[k]
            for k in (
                "n",
                "accuracy",
                "macro_f1",
                "top3_accuracy",
                "precision_at_80_coverage",
                "coverage",
                "threshold_at_80_coverage",
                "coverage_at_99_precision",
                "threshold_at_99_precision",
            )
        }
        result[view]["per_class"] = s["per_class"]
        result[view]["confusion"] = s["confusion"]
    result["ms_per_case"] = ms_per_case(lambda r: top(pipeline, r), test_views["title_detail"][0])
    td, ti = result["title_detail"], result["titles"]
    print(
        f"{name:9} title+detail macro-F1 {td['macro_f1']:.4f} acc {td['accuracy']:.4f} "
        f"p@80% {td['precision_at_80_coverage']:.4f} top-3 {td['top3_accuracy']:.4f} | "
        f"titles macro-F1 {ti['macro_f1']:.4f} p@80% {ti['precision_at_80_coverage']:.4f} "
        f"top-3 {ti['top3_accuracy']:.4f} | {result['ms_per_case']:.2f} ms/case | "
        f"auto-dispatch at 99% right: {td['coverage_at_99_precision']:.1%} of cases"
    )
    return result


def main():
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    train, test = dataset.load("train"), dataset.load("test")
    test_views = views(test)
    labels = sorted({m.label for m in train})
    print(
        f"{len(train)} training messages, {len(test)} held out "
        f"({len(test_views['title_detail'][1])} with a detail)"
    )

    start = time.perf_counter()
    base_rows = triage_model.rows([m.title for m in train], [m.text for m in train])
    baseline = triage_model.baseline_pipeline().fit(base_rows, [m.label for m in train])
    base_fit = time.perf_counter() - start
    start = time.perf_counter()
    product = training.fit(train)
    product_fit = time.perf_counter() - start

    results = {
        "baseline": measure("baseline", baseline, baseline_top, test_views, labels),
        "product": measure("product", product, triage_model.predict_top, test_views, labels),
    }
    results["baseline"]["fit_seconds"] = base_fit
    results["product"]["fit_seconds"] = product_fit
    size = training.save(product, HERE / "results" / ".triage-model.joblib").stat().st_size
    (HERE / "results" / ".triage-model.joblib").unlink()
    results["product"]["model_bytes"] = size
    p = results["product"]
    reached = {
        "macro_f1_title_detail": p["title_detail"]["macro_f1"] >= GOALS["macro_f1_title_detail"],
        "macro_f1_titles": p["titles"]["macro_f1"] >= GOALS["macro_f1_titles"],
        "precision_at_80_coverage": p["title_detail"]["precision_at_80_coverage"]
        >= GOALS["precision_at_80_coverage"],
        "top3_accuracy": p["title_detail"]["top3_accuracy"] >= GOALS["top3_accuracy"],
        "ms_per_case": p["ms_per_case"] <= GOALS["ms_per_case"],
    }
    print(f"product model {size / 1e6:.1f} MB; goals reached: {reached}")
    print("product confusion (title+detail; rows true, columns predicted):", labels)
    for label, row in zip(labels, p["title_detail"]["confusion"], strict=True):
        print(f"  {label:8} {row}")
    out = HERE / "results" / f"triage-{datetime.now(UTC):%Y%m%d}.json"
    out.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "python": platform.python_version(),
                    "cpu": platform.processor() or platform.machine(),
                    "cores_used": 1,
                },
                "data": {
                    "train": len(train),
                    "test": len(test),
                    "labels": labels,
                    "source": "TipDM 2020 problem C (civicgrid/triage/data/README.md)",
                },
                "goals": GOALS,
                "reached": reached,
                **results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"written {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
