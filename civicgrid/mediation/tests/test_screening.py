"""Dispute screening: one report per grid and period, zero reports, the overdue board."""

from datetime import date

import pytest
from django.urls import reverse

from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import Channel
from civicgrid.mediation import screening
from civicgrid.mediation.models import (
    Cadence,
    Dispute,
    ScreeningReport,
    SensitivePeriod,
    Source,
)

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


def _file(worker, grid, findings=(), zero=False, day=DAY):
    return screening.file_report(
        actor=worker, grid=grid, findings=list(findings), zero=zero, day=day
    )


def test_screening_is_monthly_and_weekly_in_a_sensitive_period(leader):
    assert screening.period_for(DAY) == screening.Period(
        Cadence.MONTHLY, date(2026, 3, 1), date(2026, 3, 31)
    )
    screening.set_sensitive_period(
        actor=leader, name="两会", start=date(2026, 3, 3), end=date(2026, 3, 15)
    )
    period = screening.period_for(DAY)
    assert (period.cadence, period.start, period.end, period.name) == (
        Cadence.WEEKLY,
        date(2026, 3, 9),
        date(2026, 3, 15),
        "两会",
    )


def test_a_sensitive_period_is_set_by_a_leader_and_must_end_after_it_starts(leader, grid_worker):
    with pytest.raises(ActionRefused):
        screening.set_sensitive_period(
            actor=grid_worker, name="春节", start=date(2026, 2, 1), end=date(2026, 2, 20)
        )
    with pytest.raises(InvalidAction):
        screening.set_sensitive_period(
            actor=leader, name="春节", start=date(2026, 2, 20), end=date(2026, 2, 1)
        )
    assert not SensitivePeriod.objects.exists()


def test_a_dispute_found_becomes_a_case_handed_over_with_the_screening_source(
    grid_worker, district
):
    filed = _file(
        grid_worker,
        district["grid11"],
        [screening.FindingInput("0201", "两户因宅基地边界争吵", 4)],
    )
    assert not filed.report.zero
    [dispute] = filed.disputes
    assert dispute.source == Source.SCREENING
    assert dispute.case.channel == Channel.GRID_PATROL
    assert dispute.case.grid == district["grid11"]
    assert dispute.people_involved == 4
    assert filed.report.findings.get().dispute == dispute


def test_a_zero_report_is_filed_when_nothing_was_found(grid_worker, district):
    filed = _file(grid_worker, district["grid12"], zero=True)
    assert filed.report.zero
    assert filed.disputes == []
    assert not Dispute.objects.exists()


def test_a_second_report_for_the_same_grid_and_period_is_refused(grid_worker, district):
    _file(grid_worker, district["grid11"], zero=True)
    with pytest.raises(InvalidAction) as again:
        _file(grid_worker, district["grid11"], [screening.FindingInput("0201", "又发现一起")])
    assert "already filed its screening for 2026-03" in again.value.message
    assert ScreeningReport.objects.count() == 1
    assert not Dispute.objects.exists()
    # The next month is a new period.
    _file(grid_worker, district["grid11"], zero=True, day=date(2026, 4, 2))
    assert ScreeningReport.objects.count() == 2


def test_a_grid_outside_the_workers_scope_is_refused(grid_worker, district):
    with pytest.raises(ActionRefused):
        _file(grid_worker, district["grid21"], zero=True)
    with pytest.raises(InvalidAction):
        _file(grid_worker, district["community1"], zero=True)
    assert not ScreeningReport.objects.exists()


def test_a_report_is_either_findings_or_zero_and_bad_findings_save_nothing(grid_worker, district):
    grid = district["grid11"]
    with pytest.raises(InvalidAction):
        _file(grid_worker, grid)
    with pytest.raises(InvalidAction):
        _file(grid_worker, grid, [screening.FindingInput("0201", "争吵")], zero=True)
    with pytest.raises(InvalidAction):
        _file(
            grid_worker,
            grid,
            [screening.FindingInput("0201", "争吵"), screening.FindingInput("0201", " ")],
        )
    with pytest.raises(InvalidAction):
        _file(grid_worker, grid, [screening.FindingInput("nope", "争吵")])
    assert not ScreeningReport.objects.exists()
    assert not Dispute.objects.exists()


def test_the_board_flags_grids_without_last_periods_report_per_community(
    grid_worker, leader, district
):
    _file(grid_worker, district["grid11"], zero=True, day=date(2026, 2, 5))
    current, previous, communities = screening.board(
        [district["district"].path], today=date(2026, 3, 10)
    )
    assert previous.start == date(2026, 2, 1)
    by_code = {c.community.code: c for c in communities}
    assert by_code[district["community1"].code].overdue == 1
    assert by_code[district["community2"].code].overdue == 2
    assert communities[0].community == district["community2"]
    overdue = [g.grid.code for g in by_code[district["community1"].code].grids if g.overdue]
    assert overdue == [district["grid12"].code]


def test_the_grid_worker_files_from_the_page_and_a_duplicate_shows_an_error(
    client, grid_worker, district
):
    client.force_login(grid_worker)
    url = reverse("mediation:screening")
    page = client.get(url)
    assert page.status_code == 200
    assert district["grid11"].name in page.content.decode()
    assert district["grid21"].name not in page.content.decode()
    sent = client.post(url, {"grid": district["grid11"].code, "zero": "on"}, follow=True)
    assert "Zero report filed" in sent.content.decode()
    again = client.post(url, {"grid": district["grid11"].code, "zero": "on"})
    assert again.status_code == 400
    assert ScreeningReport.objects.count() == 1
    outside = client.post(url, {"grid": district["grid21"].code, "zero": "on"})
    assert outside.status_code == 403


def test_the_leader_sees_the_board_and_the_grid_worker_does_not(
    client, grid_worker, leader, district
):
    client.force_login(leader)
    page = client.get(reverse("mediation:screening_board"))
    assert page.status_code == 200
    assert district["community1"].name in page.content.decode()
    client.force_login(grid_worker)
    assert client.get(reverse("mediation:screening_board")).status_code == 403
