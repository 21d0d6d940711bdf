"""The one screen's counters kept by the database (``IntakeCount``, ``OpenCount``)
against a count over the cases, through every kind of change; and the screen's figures
read from them equal to the figures counted on the cases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.analytics import counts, figures, periods, reports
from civicgrid.assessment.indicators import indicators
from civicgrid.assessment.rollup import roll_up
from civicgrid.assessment.tests.helpers import full_loop
from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, Rating
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(operator, district, category):
    """Cases in three grids, one unplaced (held by street 2), web and sensor channels,
    one answered and rated, deadlines last month, an hour ago and tomorrow, and one case
    received forty days ago."""
    now = timezone.now()
    made = {
        "answered": f.make_case(actor=operator, grid=district["grid11"], category=category),
        "web": f.make_case(
            actor=operator, grid=district["grid12"], category=category, channel="web"
        ),
        "sensor": f.make_case(
            actor=operator, grid=district["grid21"], category=category, channel="sensor"
        ),
        "unplaced": f.make_case(actor=operator, grid=district["grid22"], category=category),
        "old": f.make_case(actor=operator, grid=district["grid22"], category=category),
    }
    services.act(made["answered"], Action.ANSWER_DIRECTLY, actor=operator, answer="已答复")
    Case.objects.filter(pk=made["answered"].pk).update(rating=Rating.BASICALLY)
    street2 = district["street2"]
    Case.objects.filter(pk=made["unplaced"].pk).update(
        region_path="", grid=None, owner_region=street2, owner_path=street2.path
    )
    Case.objects.filter(pk=made["web"].pk).update(due_at=now - timedelta(days=35))
    Case.objects.filter(pk=made["sensor"].pk).update(due_at=now - timedelta(hours=1))
    Case.objects.filter(pk=made["unplaced"].pk).update(due_at=now + timedelta(days=1))
    Case.objects.filter(pk=made["old"].pk).update(created_at=now - timedelta(days=40))
    return made


def test_the_counters_equal_a_count_over_the_cases_after_every_kind_of_change(
    operator, district, category, spread
):
    assert counts.counts_in_tables() == counts.counts_from_cases()
    intake, opened = counts.counts_in_tables()
    # A grid's cases are counted at its community: a few rows per community and day.
    assert {area for _day, area, _channel in intake} == {
        district["community1"].path,
        district["community2"].path,
        district["street2"].path,
    }
    assert sum(n for (_a, _m, alert), n in opened.items() if alert) == 1

    services.act(spread["web"], Action.ANSWER_DIRECTLY, actor=operator, answer="已答复")
    Case.objects.filter(pk__in=[spread["web"].pk, spread["old"].pk]).update(
        rating=Rating.SATISFIED, region_path=district["grid11"].path, grid=district["grid11"]
    )
    Case.objects.filter(pk=spread["sensor"].pk).delete()
    f.make_case(actor=operator, grid=district["grid12"], category=category, channel="web")
    assert counts.counts_in_tables() == counts.counts_from_cases()

    counts.refill()
    assert counts.counts_in_tables() == counts.counts_from_cases()


def _figures(region, period, now):
    seen = figures.overview(region, period, now)
    key = seen.figures
    return (
        key.counts,
        {c.key: c.value for c in key.by_channel},
        (key.open.value, key.overdue.value, key.alerts.value),
        [
            (r.region.code, r.received, r.open, r.overdue, r.alerts, r.closed, r.rated)
            for r in seen.rows
        ],
    )


def test_the_screen_reads_the_counters_and_gives_the_figures_counted_on_the_cases(
    monkeypatch, district, spread
):
    now = timezone.now()
    today = timezone.localdate()
    chosen = [
        periods.of("today"),
        periods.of("month"),
        periods.of("custom", start=today - timedelta(days=60), end=today),
    ]
    from_counters = {}
    for region in (district["district"], district["street2"]):
        assert figures.counted(list(region.children.all()))
        for period in chosen:
            from_counters[region.code, period] = _figures(region, period, now)
    key = from_counters[district["district"].code, chosen[2]]
    assert (key[0]["received"], key[0]["satisfied"]) == (5, 1)
    assert key[2] == (4, 2, 1)  # open (one answered), overdue (last month, an hour ago)

    monkeypatch.setattr(figures, "counted", lambda children: False)
    for (code, period), found in from_counters.items():
        region = district["district"] if code == district["district"].code else district["street2"]
        assert found == _figures(region, period, now), (code, period)


def test_the_report_compares_with_the_period_before_from_the_counters(district, spread):
    today = timezone.localdate()
    month = periods.Period("custom", today - timedelta(days=30), today + timedelta(days=1))
    report = reports.build(district["district"], month)
    assert report.previous_received == 1  # the case received forty days ago
    assert reports.build(district["grid22"], month).previous_received == 1


def test_the_reports_rank_units_from_the_street_cells_as_from_the_area_cells(
    district, category, bureau, other_bureau
):
    """The unit ranking of a district's or a street's report reads ``UnitFigure``; it
    gives the figures ``AreaFigure`` gives, whatever grid the events were in."""
    start = timezone.now() - timedelta(days=3)
    full_loop(category, district["grid11"], bureau, start, rating="satisfied")
    full_loop(category, district["grid22"], other_bureau, start, late_ack=True)
    full_loop(category, district["grid21"], bureau, start, rating="unsatisfied")
    roll_up()
    today = timezone.localdate()
    for region in (district["district"], district["street2"]):
        found = [
            [
                (f.id, f.counts)
                for f in indicators(
                    today - timedelta(days=7), today, "unit", within_path=region.path, by_street=s
                )
            ]
            for s in (True, False)
        ]
        assert found[0] == found[1]
        assert any(counts["dispatched"] for _pk, counts in found[0])
