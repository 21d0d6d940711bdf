"""``civicgrid triage-worker``: classify new cases and dispatch the confident ones."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.worker import WorkerCommand
from civicgrid.triage import auto
from civicgrid.triage.models import Outcome


class Command(WorkerCommand):
    help = (
        "Classify registered cases the triage model has not seen yet and dispatch those "
        "above their category's threshold. Runs until stopped; several may run at once."
    )
    default_batch = auto.BATCH
    started = gettext_lazy("Triage worker started; Ctrl+C stops it.")

    def run_once(self, batch):
        return auto.run_once(batch)

    def report(self, outcomes) -> str:
        parts = [f"{Outcome(o).label}: {n}" for o, n in sorted(outcomes.items())]
        return _("Triaged %(n)d cases — %(parts)s") % {
            "n": sum(outcomes.values()),
            "parts": "; ".join(parts),
        }
