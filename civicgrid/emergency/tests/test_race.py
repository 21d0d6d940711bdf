"""Two commanders change the level of one incident at the same moment: one wins."""

import threading

import pytest
from django.db import connection

from civicgrid.cases.lifecycle import ConcurrentUpdate
from civicgrid.emergency import response
from civicgrid.emergency.models import Incident, LogEntry

from .factories import make_commander, open_flood


@pytest.mark.django_db(transaction=True)
def test_two_commanders_racing_to_change_the_level_one_wins(district, flood_plan, commander):
    if connection.vendor != "postgresql":
        pytest.skip("the row lock race needs PostgreSQL (SQLite serialises every writer)")
    second = make_commander(district, username="commander2")
    incident = open_flood(commander, district)
    response.start_plan(incident, flood_plan, 4, actor=commander, version=0)
    seen = Incident.objects.get(pk=incident.pk).version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def change(actor, level):
        try:
            barrier.wait()
            response.change_level(incident, level, actor=actor, version=seen)
            outcomes.append("won")
        except ConcurrentUpdate:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=change, args=(commander, 3)),
        threading.Thread(target=change, args=(second, 3)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "won"]
    assert LogEntry.objects.filter(incident=incident, kind="level").count() == 2
    assert Incident.objects.get(pk=incident.pk).version == seen + 1
