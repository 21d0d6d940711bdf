"""``civicgrid evaluate-triage FILE.csv --text-column C --label-column L [--json]``."""

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from civicgrid.triage import model as triage_model
from civicgrid.triage import services, training
from civicgrid.triage.evaluation import score
from civicgrid.triage.models import TriageModel


class Command(BaseCommand):
    help = "Score the active category classifier on a labelled CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--text-column", required=True, help=_("column holding the message text")
        )
        parser.add_argument(
            "--title-column",
            default="",
            help=_("optional column holding the title, read before the text"),
        )
        parser.add_argument(
            "--label-column", required=True, help=_("column holding the right category")
        )
        parser.add_argument("--json", action="store_true", help=_("print one JSON object"))

    def handle(self, *args, file, text_column, title_column, label_column, **options):
        titles, texts, labels = _read(Path(file), text_column, title_column, label_column)
        pipeline = _pipeline()
        known = set(pipeline.classes_)
        unknown = sorted(set(labels) - known)
        if unknown:
            raise CommandError(
                _("Labels the model does not know: %(unknown)s (it knows: %(known)s)")
                % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
            )
        rows = triage_model.rows(
            titles, [f"{t}。{x}" if t else x for t, x in zip(titles, texts, strict=True)]
        )
        result = score(labels, triage_model.predict_top(pipeline, rows), list(pipeline.classes_))
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self._print(result)

    def _print(self, r: dict) -> None:
        self.stdout.write(
            _(
                "%(n)s messages: accuracy %(accuracy).4f, macro-F1 %(macro_f1).4f, top-3 "
                "accuracy %(top3).4f, precision at 80%% coverage %(p80).4f (threshold %(thr).3f)"
            )
            % {
                "n": r["n"],
                "accuracy": r["accuracy"],
                "macro_f1": r["macro_f1"],
                "top3": r["top3_accuracy"],
                "p80": r["precision_at_80_coverage"],
                "thr": r["threshold_at_80_coverage"],
            }
        )
        for label, c in r["per_class"].items():
            self.stdout.write(
                _("  %(label)s: precision %(p).3f, recall %(r).3f, F1 %(f).3f, %(n)s messages")
                % {
                    "label": label,
                    "p": c["precision"],
                    "r": c["recall"],
                    "f": c["f1"],
                    "n": c["support"],
                }
            )


def _pipeline():
    """The active model; the shipped one when there is no database yet (a fresh checkout)."""
    if TriageModel._meta.db_table not in connection.introspection.table_names():
        return training.load(training.SHIPPED_MODEL)
    return services.active_pipeline()


def _read(path: Path, text_column: str, title_column: str, label_column: str):
    if not path.is_file():
        raise CommandError(_("No such file: %(path)s") % {"path": path})
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames or []
        for column in filter(None, (text_column, title_column, label_column)):
            if column not in columns:
                raise CommandError(
                    _("The file has no column %(column)s; its columns are: %(columns)s")
                    % {"column": column, "columns": ", ".join(columns)}
                )
        records = [r for r in reader if (r[label_column] or "").strip()]
    if not records:
        raise CommandError(_("The file has no labelled rows."))
    titles = [(r[title_column] or "").strip() if title_column else "" for r in records]
    texts = [(r[text_column] or "").strip() for r in records]
    return titles, texts, [r[label_column].strip() for r in records]
