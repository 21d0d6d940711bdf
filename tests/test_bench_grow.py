"""The growth helpers of the scale benchmark (``bench/_grow.py``, ``bench/scale.py``) at a
tiny size, so the benchmark cannot rot unnoticed between runs."""

import json
import sys
from pathlib import Path

import pytest

from civicgrid.cases.models import Case, CaseEvent, Status

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import _grow  # noqa: E402
import scale  # noqa: E402


@pytest.fixture
def world(district, category, bureau, other_bureau, operator, dispatcher, handler):
    return _grow.spread(district["district"])


def test_grow_adds_the_missing_cases_each_with_the_steps_it_went_through(world, district):
    made = _grow.grow(40, world, days=30, batch=15)

    assert made["made"] == 40
    cases = Case.objects.filter(number__startswith=_grow.PREFIX)
    assert cases.count() == 40
    assert made["events"] == CaseEvent.objects.filter(case__in=cases).count()
    for case in cases.prefetch_related("events"):
        actions = [e.action for e in sorted(case.events.all(), key=lambda e: e.at)]
        assert actions[0] == "register"
        assert case.region_path.startswith(district["district"].path)
        assert case.grid is not None
        assert case.category is not None
        if case.status == Status.CLOSED:
            assert actions[-1] in ("close", "answer_directly")
        else:
            assert case.closed_at is None
            assert case.due_at is not None
    # A second run only adds what is missing, numbered after the first.
    assert _grow.grow(40, world, days=30)["made"] == 0
    assert _grow.grow(55, world, days=30)["made"] == 15
    assert Case.objects.filter(number__startswith=_grow.PREFIX).count() == 55
    assert _grow.generated() == 55
    # Co-handling units, for the benchmarks that show them: another unit than the main one.
    added = _grow.co_handling(2, world)
    helped = cases.exclude(co_departments=None).distinct()
    assert added == helped.count() > 0
    assert all(c.main_department not in c.co_departments.all() for c in helped)
    assert _grow.co_handling(2, world) == 0  # once per case
    assert _grow.database_size() is None or _grow.database_size() > 0


def test_generated_cases_show_on_the_case_list(world, client, leader):
    _grow.grow(20, world, days=10)
    client.force_login(leader)

    response = client.get("/cases/")

    assert response.status_code == 200
    newest = Case.objects.order_by("-created_at").first()
    assert newest.number in response.content.decode()


def test_growth_verdicts_compare_the_largest_size_with_the_smallest():
    def step(size, p95s):
        return {
            "size": size,
            "rows": [
                {"page": name, "kind": "staff", "goal_ms": 150.0, "p95_ms": p95}
                for name, p95 in p95s.items()
            ],
        }

    rows = scale.verdicts(
        [
            step(10_000, {"case list": 100.0, "inbox": 20.0}),
            step(100_000, {"case list": 300.0, "inbox": 25.0}),
            step(1_000_000, {"case list": 600.0, "inbox": 29.0}),
        ]
    )

    by_name = {r["page"]: r for r in rows}
    assert by_name["case list"]["verdict"] == "grows"
    assert not by_name["case list"]["goal_met"]
    assert by_name["case list"]["growth"] == 6.0
    assert by_name["inbox"]["verdict"] == "flat"
    assert by_name["inbox"]["goal_met"]
    assert scale.sizes_of("10_000,1000000,100000") == [10_000, 100_000, 1_000_000]


def test_merge_makes_one_table_from_the_runs_that_timed_each_size(tmp_path, capsys):
    def step(size, p95s, made=0, db=1):
        rows = [
            {"page": name, "kind": "staff", "goal_ms": 999.0, "p95_ms": p95, "status": 200}
            for name, p95 in p95s.items()
        ]
        growth = {"made": made, "seconds": made / 700, "database_bytes": db}
        return {"size": size, "rows": rows, "growth": growth}

    def run(name, *steps):
        path = tmp_path / name
        path.write_text(json.dumps({"database": "postgresql", "requests": 20, "steps": steps}))
        return str(path)

    old = run("old.json", step(10_000, {"case list": 900.0}), step(100_000, {"case list": 950.0}))
    small = run("small.json", step(10_000, {"case list": 100.0, "inbox": 20.0}))
    grown = run("grown.json", step(3_000_000, {}, made=2_000_000, db=9 * 2**30))
    big = run("big.json", step(3_000_000, {"case list": 140.0, "inbox": 80.0}, db=10 * 2**30))
    again = run("again.json", step(3_000_000, {"inbox": 25.0}, db=10 * 2**30))  # after a fix

    assert scale.main(["--merge", old, small, grown, big, again, "--out", str(tmp_path)]) == 0

    (written,) = tmp_path.glob("scale-postgresql-*-merged.json")
    report = json.loads(written.read_text())
    steps = {s["size"]: s for s in report["steps"]}
    assert sorted(steps) == [10_000, 100_000, 3_000_000]
    assert steps[10_000]["source"] == "small.json"  # the last file that timed 10k
    assert steps[3_000_000]["source"] == "again.json"
    assert steps[3_000_000]["growth"]["made"] == 2_000_000  # grown in the grow-only run
    assert steps[3_000_000]["growth"]["database_bytes"] == 10 * 2**30  # as the timing saw it
    rows = {r["page"]: r for r in report["table"]}
    assert rows["case list"]["p95"] == {"10000": 100.0, "100000": 950.0, "3000000": 140.0}
    assert rows["case list"]["verdict"] == "flat"
    assert rows["case list"]["goal_ms"] == 150.0  # the goal now, not the one in the file
    assert rows["case list"]["goal_met"]
    assert rows["inbox"]["p95"]["3000000"] == 25.0  # the page timed again replaces its row
    assert rows["inbox"]["verdict"] == "flat"
    assert "grown in grown.json" in capsys.readouterr().out
