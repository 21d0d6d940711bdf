"""``civicgrid send-notifications``: send e-mails, texts and webhooks, with retries."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.worker import WorkerCommand
from civicgrid.notifications import sender
from civicgrid.notifications.models import DeliveryStatus


class Command(WorkerCommand):
    help = (
        "Send pending notification deliveries (e-mail, SMS, department webhooks) and "
        "retry failed ones. Runs until stopped; several may run at once."
    )
    default_batch = sender.BATCH
    started = gettext_lazy("Notification sender started; Ctrl+C stops it.")

    def run_once(self, batch):
        return sender.run_once(batch)

    def report(self, outcomes) -> str:
        parts = [f"{DeliveryStatus(s).label}: {n}" for s, n in sorted(outcomes.items())]
        return _("Processed %(n)d deliveries — %(parts)s") % {
            "n": sum(outcomes.values()),
            "parts": "; ".join(parts),
        }
