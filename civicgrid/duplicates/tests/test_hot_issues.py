"""Hot issues: real repeated complaints cluster together; heat ranks them; the page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.duplicates import hotissues
from civicgrid.duplicates.hotissues import Report
from civicgrid.duplicates.models import HotIssue
from civicgrid.duplicates.services import join, refresh_hot_issues

# --- heat --------------------------------------------------------------------------


def reports(n, at, people=None, likes=0, title="路灯不亮", block=()):
    return [
        Report(
            key=f"{title}{at}{i}",
            title=title,
            content="小区门口路灯坏了",
            at=at,
            person=(people or [f"p{i}"])[i % len(people or [f"p{i}"])],
            block=block,
            supporter_times=[at] * likes,
        )
        for i in range(n)
    ]


def test_more_people_recently_is_hotter():
    now = timezone.now()
    fresh = hotissues.heat(reports(5, now - timedelta(days=1)), now)
    stale = hotissues.heat(reports(5, now - timedelta(days=30)), now)
    fewer = hotissues.heat(reports(3, now - timedelta(days=1)), now)
    one_person = hotissues.heat(reports(5, now - timedelta(days=1), people=["same"]), now)
    assert fresh > fewer > stale
    assert one_person < fewer
    # A week halves the heat.
    assert hotissues.heat(reports(4, now - timedelta(days=7)), now) == pytest.approx(2.0)


def test_supporters_count_at_a_quarter():
    now = timezone.now()
    with_likes = hotissues.heat(reports(2, now, likes=4), now)
    assert with_likes == pytest.approx(2 + 0.25 * 8)


def test_places_far_apart_never_share_an_issue():
    now = timezone.now()
    near = reports(3, now)
    far = reports(3, now, title="路灯不亮")
    for r in far:
        r.key, r.lng, r.lat = r.key + "far", 118.6, 37.5
    for r in near:
        r.lng, r.lat = 118.5, 37.5  # ~9 km west
    groups = hotissues.cluster(near + far)
    assert sorted(len(g) for g in groups) == [3, 3]


# --- stored hot issues and their page --------------------------------------------------


@pytest.fixture
def lamp_issue(neighbours, operator, category):
    """Three people report the broken lamp in grid 11; one unrelated case nearby."""
    for n, phone in enumerate(("13800000001", "13800000002", "13800000003")):
        f.make_case(
            actor=operator,
            grid=neighbours["grid11"],
            category=category,
            title="幸福小区南门路灯不亮" if n else "南门路灯坏了",
            content="幸福小区南门外的路灯坏了，晚上一片漆黑。",
            reporter_phone=phone,
        )
    f.make_case(
        actor=operator,
        grid=neighbours["grid11"],
        category=category,
        title="遛狗不牵绳",
        content="小区里有人遛狗不拴绳，把孩子吓哭了。",
        reporter_phone="13800000009",
    )
    return refresh_hot_issues()


def test_three_people_reporting_one_lamp_make_a_hot_issue(lamp_issue, neighbours):
    assert len(lamp_issue) == 1
    issue = HotIssue.objects.get()
    assert issue.reports == 3
    assert issue.reporters == 3
    assert issue.open_cases == 3
    assert issue.region == neighbours["grid11"]
    assert "路灯" in issue.title
    assert issue.reports_this_week == 3
    assert issue.trend == 1
    assert "遛狗" not in " ".join(c.title for c in issue.cases.all())


def test_refreshing_again_gives_the_same_issues(lamp_issue):
    before = list(HotIssue.objects.values_list("key", "reports", "heat"))
    refresh_hot_issues()
    assert list(HotIssue.objects.values_list("key", "reports", "heat")) == before


def test_supporters_heat_an_issue_and_old_cases_drop_out(lamp_issue, operator):
    first = HotIssue.objects.get()
    join(first.representative, phone="13900001111", channel="citizen")
    refresh_hot_issues()
    issue = HotIssue.objects.get()
    assert issue.supporters == 1
    assert issue.heat > first.heat
    # Four months later, every report has left the window.
    assert refresh_hot_issues(now=timezone.now() + timedelta(days=120)) == []


def test_two_people_and_no_supporters_are_not_yet_hot(neighbours, operator, category):
    for phone in ("13800000001", "13800000002"):
        f.make_case(
            actor=operator, grid=neighbours["grid11"], category=category, reporter_phone=phone
        )
    assert refresh_hot_issues() == []


def test_the_leader_sees_the_hot_issues_and_their_cases(client, lamp_issue, leader):
    client.force_login(leader)
    page = client.get(reverse("duplicates:hot_issues"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hot issues" in text
    assert "fading by half every 7 days" in text
    assert "路灯" in text
    assert "hot-points" in text
    issue = HotIssue.objects.get()
    cases = client.get(
        reverse("duplicates:hot_issue", args=[issue.key]), headers={"HX-Request": "true"}
    ).content.decode()
    assert cases.count("/cases/") == 3


def test_a_handler_is_refused_the_page(client, lamp_issue, handler):
    client.force_login(handler)
    assert client.get(reverse("duplicates:hot_issues")).status_code == 403


def test_an_outsider_sees_no_issue_of_the_district(client, lamp_issue, outsider):
    client.force_login(outsider)
    page = client.get(reverse("duplicates:hot_issues")).content.decode()
    assert "路灯" not in page
    issue = HotIssue.objects.get()
    assert client.get(reverse("duplicates:hot_issue", args=[issue.key])).status_code == 404


def test_a_leader_of_another_street_does_not_see_the_issue(client, lamp_issue, neighbours):
    watcher = f.make_user(Role.LEADER, regions=[neighbours["street2"]], username="street2")
    client.force_login(watcher)
    page = client.get(reverse("duplicates:hot_issues")).content.decode()
    assert "路灯" not in page


def test_the_hot_issue_list_is_in_the_menu_of_a_dispatcher(client, dispatcher):
    client.force_login(dispatcher)
    page = client.get(reverse("cases:list")).content.decode()
    assert reverse("duplicates:hot_issues") in page


def test_the_api_lists_hot_issues_in_scope(lamp_issue, leader, outsider):
    from django.test import Client

    from civicgrid.accounts.models import ApiToken

    def listing(user):
        _t, raw = ApiToken.issue(user, "t")
        return Client().get(
            "/api/duplicates/hot-issues", headers={"Authorization": f"Bearer {raw}"}
        )

    body = listing(leader).json()
    assert [i["reports"] for i in body] == [3]
    assert listing(outsider).json() == []


def test_the_command_refreshes_and_refuses_a_silly_window(lamp_issue):
    from django.core.management import CommandError, call_command

    HotIssue.objects.all().delete()
    call_command("refresh_hot_issues", "--days", "30")
    assert HotIssue.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("refresh_hot_issues", "--days", "0")
