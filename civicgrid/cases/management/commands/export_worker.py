"""``civicgrid export-worker``: write the long Excel exports staff asked for."""

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.cases import exports
from civicgrid.core.worker import WorkerCommand


class Command(WorkerCommand):
    help = (
        "Write the Excel exports too long to write in a request, and delete files older "
        "than a day. Runs until stopped; several may run at once."
    )
    default_batch = 1
    started = gettext_lazy("Export worker started; Ctrl+C stops it.")

    def run_once(self, batch):
        written = exports.run_pending(batch)
        return Counter({"written": written}) if written else Counter()

    def report(self, outcomes) -> str:
        return _("Wrote %(n)d exports.") % {"n": outcomes["written"]}
