"""Hot issues kept up to date from the cases since the last run, nothing left out unsaid."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from civicgrid.cases.tests import factories as f
from civicgrid.duplicates import services
from civicgrid.duplicates.fading import faded
from civicgrid.duplicates.models import HotIssue, HotIssueRefresh
from civicgrid.duplicates.services import refresh

LAMP = "幸福小区南门路灯不亮"
COVER = "人民路井盖丢失很危险"


def lamp_report(operator, grid, category, phone, title=LAMP):
    return f.make_case(
        actor=operator,
        grid=grid,
        category=category,
        title=title,
        content="幸福小区南门外的路灯坏了，晚上一片漆黑。" if "路灯" in title else title,
        reporter_phone=phone,
    )


@pytest.fixture
def lamp(neighbours, operator, category):
    """Three people report the broken lamp in grid 11; the first refresh clusters them."""
    for n in range(3):
        lamp_report(operator, neighbours["grid11"], category, f"1380000000{n + 1}")
    first = refresh()
    assert first.full
    return first


def test_a_run_with_no_new_case_clusters_nothing_again(lamp):
    again = refresh()
    assert not again.full
    assert (again.new_cases, again.blocks_refreshed) == (0, 0)
    assert [(i.key, i.reports) for i in again.issues] == [(i.key, i.reports) for i in lamp.issues]


def test_a_new_report_joins_its_issue_on_the_next_run(lamp, neighbours, operator, category):
    lamp_report(operator, neighbours["grid11"], category, "13800000004")
    again = refresh()
    assert (again.new_cases, again.attached, again.blocks_refreshed) == (1, 1, 0)
    (issue,) = again.issues
    assert issue.reports == 4
    assert issue.reporters == 4


def test_the_issues_left_alone_cool_down_as_time_passes(lamp):
    before = HotIssue.objects.get()
    later = before.computed_at + timedelta(days=7)
    refresh(now=later)
    after = HotIssue.objects.get()
    # Shown a week later, the heat is half (it fades at read time, not by a rewrite).
    assert faded(after.heat, after.computed_at, later) == pytest.approx(before.heat / 2, rel=1e-3)
    assert after.reports_this_week == 0
    assert after.reports_last_week == 3


def test_a_closed_case_is_no_longer_counted_open_on_the_next_run(lamp):
    issue = HotIssue.objects.get()
    first = issue.cases.order_by("id").first()
    type(first).objects.filter(pk=first.pk).update(status="closed")
    refresh()
    assert HotIssue.objects.get().open_cases == 2


def test_a_crowded_block_says_how_many_reports_it_left_out(
    client, neighbours, operator, category, leader, monkeypatch, capsys
):
    monkeypatch.setattr(services, "MAX_BLOCK", 3)
    for n in range(5):
        lamp_report(operator, neighbours["grid11"], category, f"1380000001{n}")
    call_command("refresh_hot_issues")
    out = capsys.readouterr().out
    assert "2 older reports in 1 crowded blocks were not clustered" in out
    assert HotIssueRefresh.objects.get().capped_reports == 2
    client.force_login(leader)
    page = client.get(reverse("duplicates:hot_issues")).content.decode()
    assert "2 older reports in 1 crowded blocks" in page


def test_the_command_says_what_an_incremental_run_did(lamp, neighbours, operator, category, capsys):
    lamp_report(operator, neighbours["grid11"], category, "13800000004")
    call_command("refresh_hot_issues")
    assert "1 new cases: 1 joined an issue; 0 blocks clustered again." in capsys.readouterr().out
    call_command("refresh_hot_issues", "--full")
    assert "Clustered every block of the last 90 days." in capsys.readouterr().out


def _members():
    return {
        issue.title: sorted(issue.cases.values_list("number", flat=True))
        for issue in HotIssue.objects.all()
    }


def _figures():
    return sorted(
        (i.title, i.reports, i.reporters, i.supporters, i.open_cases, i.reports_this_week)
        for i in HotIssue.objects.all()
    )


def test_attached_reports_land_where_a_full_run_puts_them(lamp, neighbours, operator, category):
    # Two more lamp reports join the issue; an unrelated one is held, not lost.
    lamp_report(operator, neighbours["grid11"], category, "13800000004", "幸福小区南门的路灯不亮了")
    lamp_report(operator, neighbours["grid12"], category, "13800000005")
    lamp_report(operator, neighbours["grid11"], category, "13800000006", COVER)
    again = refresh()
    assert (again.new_cases, again.attached, again.blocks_refreshed) == (3, 2, 0)
    assert again.held_reports == 1
    attached = (_members(), _figures())
    full = refresh(full=True)
    assert full.held_reports == 0
    assert (_members(), _figures()) == attached


def test_held_reports_forming_a_group_make_a_new_issue(lamp, neighbours, operator, category):
    for n in range(3):
        lamp_report(operator, neighbours["grid11"], category, f"1390000000{n}", COVER)
    again = refresh()
    assert (again.new_cases, again.attached, again.blocks_refreshed) == (3, 0, 0)
    assert again.held_reports == 0
    assert sorted(i.reports for i in again.issues) == [3, 3]
    incremental = (_members(), _figures())
    refresh(full=True)
    assert (_members(), _figures()) == incremental


def test_held_reports_piling_up_cluster_their_block_again(
    lamp, neighbours, operator, category, monkeypatch, capsys, client, leader
):
    monkeypatch.setattr(services, "PILE_UP", 2)
    lamp_report(operator, neighbours["grid11"], category, "13900000001", COVER)
    call_command("refresh_hot_issues")
    assert "1 new reports like no hot issue of their block are held" in capsys.readouterr().out
    client.force_login(leader)
    page = client.get(reverse("duplicates:hot_issues")).content.decode()
    assert "1 new report is like no hot issue of its block yet: it is held" in page
    lamp_report(
        operator, neighbours["grid11"], category, "13900000002", "公园厕所没有水，游客很不方便"
    )
    again = refresh()
    assert (again.blocks_refreshed, again.held_reports) == (1, 0)


def test_a_supporter_of_an_issue_case_counts_without_clustering(lamp):
    issue = HotIssue.objects.get()
    services.join(issue.representative, phone="13700000009", channel="hotline")
    again = refresh()
    assert (again.new_cases, again.blocks_refreshed) == (0, 0)
    after = HotIssue.objects.get()
    assert (after.supporters, after.heat > issue.heat) == (1, True)
