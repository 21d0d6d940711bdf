"""A triage worker killed half-way leaves no case stuck, and two workers never both act."""

import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection

from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Status
from civicgrid.triage import auto
from civicgrid.triage.models import CaseTriage, Outcome

from .test_auto import _bus_case


class Killed(Exception):
    """The worker process dying at this very point (kill -9, out of memory, power)."""


def test_a_worker_killed_between_its_claim_and_the_dispatch_leaves_the_case_to_the_next(
    operator, district, transport, monkeypatch
):
    case = _bus_case(operator, district)

    def die(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(lifecycle, "apply", die)
    with pytest.raises(Killed):
        auto.run_once()
    monkeypatch.undo()

    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert [c.pk for c in auto.pending()] == [case.pk]  # back in the triage queue
    assert not CaseTriage.objects.exists()

    assert auto.run_once() == {Outcome.AUTO_DISPATCHED: 1}
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.triage.outcome == Outcome.AUTO_DISPATCHED


def test_cases_left_stuck_by_an_earlier_crash_are_freed_by_the_migration(
    operator, dispatcher, district, transport, bureau
):
    stuck = _bus_case(operator, district)
    moved_on = _bus_case(operator, district, title="出租车绕路")
    for case in (stuck, moved_on):
        CaseTriage.objects.create(case=case, outcome=Outcome.AUTO_DISPATCHED, confidence=0.9)
    lifecycle.apply(moved_on, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    migration = importlib.import_module(
        "civicgrid.triage.migrations.0003_release_stuck_auto_dispatches"
    )

    migration.release(apps, None)

    assert [c.pk for c in auto.pending()] == [stuck.pk]
    assert CaseTriage.objects.get(case=moved_on).outcome == Outcome.TAKEN
    auto.run_once()
    stuck.refresh_from_db()
    assert stuck.status == Status.DISPATCHED
    assert stuck.events.filter(action=Action.DISPATCH).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_one_case_dispatch_it_once(operator, district, transport):
    case = _bus_case(operator, district)
    auto.classify([case])  # load the model once, outside the race
    barrier = threading.Barrier(2)
    results = []

    def work():
        try:
            cases = auto.pending()
            top = auto.classify(cases)
            barrier.wait()
            results.append(auto.triage(cases[0], top[0]))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r is None for r in results) == [False, True]  # one claim, one refusal
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.events.filter(action=Action.DISPATCH).count() == 1
    assert CaseTriage.objects.count() == 1
