"""``civicgrid evaluate-triage`` and ``civicgrid train-triage``."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from civicgrid.triage import dataset
from civicgrid.triage.models import TriageModel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (commands speak Chinese by default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def labelled_csv(tmp_path):
    path = tmp_path / "history.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["内容", "类别"])
        for m in dataset.load("test")[:60]:
            writer.writerow([m.text, m.label])
    return path


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def evaluate(*args):
    out = io.StringIO()
    call_command("evaluate_triage", *args, stdout=out)
    return out.getvalue()


def test_evaluate_prints_one_json_object_with_the_figures(labelled_csv):
    result = json.loads(
        evaluate(str(labelled_csv), "--text-column", "内容", "--label-column", "类别", "--json")
    )

    for key in ("accuracy", "macro_f1", "top3_accuracy", "precision_at_80_coverage"):
        assert 0.5 < result[key] <= 1
    assert set(result["per_class"]) == {m.label for m in dataset.load("test")}
    assert result["n"] == 60


def test_evaluate_prints_per_class_figures_as_text(labelled_csv):
    text = evaluate(str(labelled_csv), "--text-column", "内容", "--label-column", "类别")

    assert "60 messages: accuracy" in text
    assert "教育文体: precision" in text


def test_evaluate_names_a_missing_column(labelled_csv):
    with pytest.raises(CommandError, match="no column text; its columns are: 内容, 类别"):
        evaluate(str(labelled_csv), "--text-column", "text", "--label-column", "类别")


def test_evaluate_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        evaluate(str(tmp_path / "nope.csv"), "--text-column", "a", "--label-column", "b")


def test_evaluate_refuses_labels_the_model_does_not_know(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("text,label\n路灯不亮,路灯\n", encoding="utf-8")

    with pytest.raises(CommandError, match="does not know: 路灯"):
        evaluate(str(path), "--text-column", "text", "--label-column", "label")


def test_training_on_a_tiny_sample_keeps_the_better_model_in_use(data_dir):
    out = io.StringIO()
    call_command("train_triage", "--sample", "150", verbosity=0, stdout=out)

    row = TriageModel.objects.get()
    assert row.version == 1
    assert not row.is_active
    assert "was not activated" in out.getvalue()
    folder = data_dir / "models" / "v1"
    assert (folder / "model.joblib").exists()
    assert (folder / "confusion.png").read_bytes()[:4] == b"\x89PNG"
    report = json.loads((folder / "report.json").read_text())
    assert report["compared_with"]["macro_f1"] > report["metrics"]["macro_f1"]


def test_activate_forces_a_new_version_into_use(data_dir):
    call_command("train_triage", "--sample", "150", verbosity=0, stdout=io.StringIO())
    call_command("train_triage", "--sample", "150", "--activate", verbosity=0, stdout=io.StringIO())

    assert list(TriageModel.objects.values_list("version", "is_active")) == [(2, True), (1, False)]
    from civicgrid.triage.services import active_pipeline

    assert active_pipeline() is not None
    assert str(data_dir / "models" / "v2") in TriageModel.objects.active().get().path


def test_an_older_version_can_be_put_back_in_use(data_dir):
    from civicgrid.triage.services import activate

    call_command("train_triage", "--sample", "150", verbosity=0, stdout=io.StringIO())
    call_command("train_triage", "--sample", "150", "--activate", verbosity=0, stdout=io.StringIO())

    activate(TriageModel.objects.get(version=1))

    assert list(TriageModel.objects.active().values_list("version", flat=True)) == [1]
