"""Commands on a fresh checkout, before any ``migrate`` (#10 defect 20): the shipped model
is scored without a database; a command that needs one says what to do instead of a
traceback."""

import csv
import os
import subprocess
import sys

import pytest

from civicgrid.triage import dataset


@pytest.fixture
def fresh(tmp_path):
    """A checkout's folder with no database, as after ``git clone``."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["CIVICGRID_DATA_DIR"] = str(tmp_path / "data")
    env["LANGUAGE"] = "en"

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "civicgrid.cli", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    return run


def test_evaluate_triage_scores_the_shipped_model_without_a_database(fresh, tmp_path):
    path = tmp_path / "history.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        for m in dataset.load("test")[:30]:
            writer.writerow([m.text, m.label])

    done = fresh("evaluate-triage", str(path), "--text-column", "text", "--label-column", "label")

    assert done.returncode == 0, done.stderr
    assert "no such table" not in done.stderr
    assert done.stdout.startswith("30 ")


def test_a_command_needing_the_database_says_to_migrate(fresh):
    done = fresh("mark-overdue")

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "civicgrid migrate" in done.stderr
