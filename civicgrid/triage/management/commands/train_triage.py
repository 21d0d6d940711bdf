"""``civicgrid train-triage``: train a new classifier version, report, maybe activate."""

import random
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from civicgrid.triage import dataset, services, training

STAGES = ("features", "classifier", "evaluation", "saving")


class Command(BaseCommand):
    help = (
        "Train the case category classifier on the shipped messages, write its report "
        "and activate it if it is not worse than the model in use."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--activate",
            action="store_true",
            help=_("activate the new model even if it scores worse"),
        )
        parser.add_argument(
            "--sample",
            type=int,
            default=0,
            help=_("train and evaluate on this many messages each (quick runs)"),
        )
        parser.add_argument("--note", default="", help=_("a note kept with the version"))
        parser.add_argument(
            "--no-cases",
            action="store_true",
            help=_("leave out the city's own closed cases (learn from the shipped messages only)"),
        )
        parser.add_argument(
            "--export", default="", help=_("only write the trained model to this file (no version)")
        )

    def handle(self, *args, activate, sample, note, export, no_cases, **options):
        train, test = dataset.load("train"), dataset.load("test")
        if not no_cases and not export:
            own, few = dataset.from_cases()
            train += [m for m in own if m.split == "train"]
            test += [m for m in own if m.split == "test"]
            self.stdout.write(
                _("Closed cases of this city: %(train)d to learn from, %(test)d held out.")
                % {
                    "train": sum(m.split == "train" for m in own),
                    "test": sum(m.split == "test" for m in own),
                }
            )
            for label, n in sorted(few.items()):
                self.stdout.write(
                    _("Left out %(label)s: only %(n)d closed cases, at least 10 needed.")
                    % {"label": label, "n": n}
                )
        if sample:
            rng = random.Random(dataset.SEED)
            train = rng.sample(train, min(sample, len(train)))
            test = rng.sample(test, min(sample, len(test)))
        with tqdm(total=len(STAGES), disable=options["verbosity"] == 0) as bar:

            def step(name: str) -> None:
                bar.n = STAGES.index(name)
                bar.set_description(name)

            if export:
                metrics = self._export(Path(export), train, test, step)
            else:
                row, current = services.train_and_register(
                    train, test, activate=activate, note=note, step=step
                )
            bar.n = bar.total
            bar.refresh()
        if export:
            self._print(metrics)
            self.stdout.write(_("Model written to %(path)s") % {"path": export})
            return
        self._print(row.metrics, current)
        folder = services.models_dir() / f"v{row.version}"
        self.stdout.write(_("Report: %(path)s") % {"path": folder / "report.json"})
        if row.is_active:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Version %(version)s is now active.") % {"version": row.version}
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Version %(version)s scores worse than the model in use and was not "
                        "activated (use --activate to force it)."
                    )
                    % {"version": row.version}
                )
            )

    def _export(self, path: Path, train, test, step) -> dict:
        pipeline = training.fit(train, step)
        step("evaluation")
        metrics = training.evaluate(pipeline, test)
        step("saving")
        training.save(pipeline, path, _headline(metrics))
        return metrics

    def _print(self, metrics: dict, current: dict | None = None) -> None:
        line = _(
            "accuracy %(accuracy).4f, macro-F1 %(macro_f1).4f, top-3 %(top3).4f, "
            "precision at 80%% coverage %(p80).4f"
        )
        self.stdout.write(line % _fields(metrics))
        if current:
            self.stdout.write(_("model in use: ") + line % _fields(current))


def _fields(m: dict) -> dict:
    return {
        "accuracy": m["accuracy"],
        "macro_f1": m["macro_f1"],
        "top3": m["top3_accuracy"],
        "p80": m["precision_at_80_coverage"],
    }


def _headline(m: dict) -> dict:
    keys = ("accuracy", "macro_f1", "top3_accuracy", "precision_at_80_coverage", "per_class")
    return {k: m[k] for k in keys}
