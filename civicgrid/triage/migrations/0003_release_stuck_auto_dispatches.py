"""Free the cases a killed triage worker left stuck (issue #8, item 11).

Before the claim and the dispatch shared one transaction, a worker killed between them
left a row saying "dispatched automatically" on a case nobody dispatched. The worker
only looks at cases without a row, so such a case sat out of its sight for good.

A row claiming an automatic dispatch that never happened (no dispatch event without an
actor: the worker's is the only one) is deleted when the case still awaits triage, so
the worker looks at it again (and leaves it to the dispatcher if someone acted since);
when someone has moved the case on meanwhile, the row says a person took it.
"""

from django.db import migrations


def release(apps, schema_editor):
    CaseTriage = apps.get_model("triage", "CaseTriage")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    dispatched = CaseEvent.objects.filter(action="dispatch", actor__isnull=True).values("case_id")
    stuck = CaseTriage.objects.filter(outcome="auto_dispatched").exclude(case_id__in=dispatched)
    stuck.filter(case__status="registered").delete()
    stuck.update(outcome="taken")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_closed_recent_index"),
        ("triage", "0002_case_triage"),
    ]

    operations = [migrations.RunPython(release, migrations.RunPython.noop)]
