"""The leaders' one screen (一张图): its figures against hand-made cases, the drill-down,
the time filter, the wall mode, and the case list behind every figure."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.analytics import figures, periods
from civicgrid.assessment.rollup import roll_up
from civicgrid.assessment.tests.helpers import full_loop
from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, Rating
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(operator, district, category):
    """Five cases today: three hotline in grid 11 (one answered, satisfied), one web in
    grid 12, one hotline in street 2 that is overdue; and one hotline case last month."""
    made = {
        "answered": f.make_case(actor=operator, grid=district["grid11"], category=category),
        "a": f.make_case(actor=operator, grid=district["grid11"], category=category),
        "b": f.make_case(actor=operator, grid=district["grid11"], category=category),
        "web": f.make_case(
            actor=operator, grid=district["grid12"], category=category, channel="web"
        ),
        "late": f.make_case(actor=operator, grid=district["grid21"], category=category),
        "old": f.make_case(actor=operator, grid=district["grid22"], category=category),
    }
    services.act(made["answered"], Action.ANSWER_DIRECTLY, actor=operator, answer="已答复")
    Case.objects.filter(pk=made["answered"].pk).update(rating=Rating.SATISFIED)
    Case.objects.filter(pk=made["a"].pk).update(rating=Rating.UNSATISFIED)
    Case.objects.filter(pk=made["late"].pk).update(due_at=timezone.now() - timedelta(hours=2))
    Case.objects.filter(pk=made["old"].pk).update(created_at=timezone.now() - timedelta(days=40))
    return made


def screen(client, **params):
    response = client.get(reverse("analytics:screen"), params)
    assert response.status_code == 200
    return response


def test_the_key_figures_count_the_hand_made_cases(district, cases):
    key = figures.key_figures(district["district"], periods.of("today"))
    assert key.received == 5
    assert {c.key: c.value for c in key.by_channel} == {"hotline": 4, "web": 1}
    assert key.open.value == 5  # four of today's and last month's; the answered one is closed
    assert key.overdue.value == 1


def test_the_three_rates_are_the_assessments_over_the_rollup(district, category, bureau):
    """Two full loops ten days ago: one acknowledged on time and satisfied, one late and
    unsatisfied; the rates read the rollup table, not the cases."""
    start = timezone.now() - timedelta(days=10)
    full_loop(category, district["grid11"], bureau, start, rating="satisfied")
    full_loop(category, district["grid21"], bureau, start, rating="unsatisfied", late_ack=True)
    roll_up()
    today = timezone.localdate()
    period = periods.of("custom", start=today - timedelta(days=15), end=today)
    rates = {r.key: r.value for r in figures.key_figures(district["district"], period).rates}
    assert rates == {"response": 50.0, "resolution": 50.0, "satisfaction": 50.0}
    rows = {r.region.code: r for r in figures.drill_down(district["district"], period)}
    assert rows[district["street1"].code].satisfaction == 100.0
    assert rows[district["street2"].code].response == 0.0


def test_a_period_without_cases_shows_dashes_not_a_division_by_zero(district, category):
    key = figures.key_figures(district["district"], periods.of("today"))
    assert key.received == 0
    assert all(r.value is None for r in key.rates)
    assert "—" in figures_html(district)


def figures_html(district) -> str:
    from django.template.loader import render_to_string

    from civicgrid.analytics.screen import screen_context
    from civicgrid.cases.tests import factories as ff

    leader = ff.make_user("leader", regions=[district["district"]], username="leader2")
    return render_to_string(
        "analytics/partials/_screen_body.html",
        screen_context(leader, district["district"], periods.of("today")),
    )


def test_every_figure_opens_the_cases_it_counts(client, leader, district, cases):
    client.force_login(leader)
    key = figures.key_figures(district["district"], periods.of("today"))
    for figure in [*key.by_channel, key.open, key.overdue]:
        listed = client.get(figure.url)
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == figure.value, figure.url


def test_the_drill_down_gives_totals_per_street_then_per_grid(client, leader, district, cases):
    client.force_login(leader)
    html = screen(client).content.decode()
    assert district["street1"].name in html
    rows = {r.region.code: r for r in screen(client).context["rows"]}
    assert rows[district["street1"].code].received == 4
    assert rows[district["street2"].code].received == 1
    assert rows[district["street2"].code].overdue == 1
    community = screen(client, region=district["community1"].code).context["rows"]
    assert {r.region.code: r.received for r in community} == {
        district["grid11"].code: 3,
        district["grid12"].code: 1,
    }


def test_the_totals_of_the_children_add_up_to_the_parent(leader, district, cases):
    period = periods.of("month")
    rows = figures.drill_down(district["district"], period)
    key = figures.key_figures(district["district"], period)
    assert sum(r.received for r in rows) == key.received
    assert sum(r.open for r in rows) == key.open.value


def test_the_time_filter_counts_this_month_or_a_chosen_range(client, leader, district, cases):
    client.force_login(leader)
    today = timezone.localdate()
    assert screen(client, period="today").context["figures"].received == 5
    start = (today - timedelta(days=45)).isoformat()
    ranged = screen(client, period="custom", start=start, end=today.isoformat())
    assert ranged.context["figures"].received == 6


def test_a_bad_range_is_refused_with_a_message(client, leader, district, cases):
    client.force_login(leader)
    response = screen(client, period="custom", start="2026-05-02", end="2026-05-01")
    assert "The last day is before the first day." in response.content.decode()
    assert response.context["period"].kind == "today"


def test_a_region_outside_the_leaders_area_is_not_found(client, leader, other_district):
    client.force_login(leader)
    response = client.get(reverse("analytics:screen"), {"region": other_district["district"].code})
    assert response.status_code == 404


def test_the_wall_mode_refreshes_itself_every_minute(client, leader, district, cases):
    client.force_login(leader)
    html = screen(client, wall="1").content.decode()
    assert 'class="wall"' in html
    assert 'hx-trigger="every 60s"' in html
    assert "mainnav" not in html


def test_the_wall_reuses_its_figures_for_half_a_minute_and_the_desk_screen_does_not(
    client, leader, operator, district, category, cases, settings
):
    from django.core.cache import cache

    from civicgrid.analytics.screen import wall_cache_key

    client.force_login(leader)
    assert screen(client, wall="1").context["figures"].received == 5
    f.make_case(actor=operator, grid=district["grid11"], category=category)
    # Another wall (or another web process) refreshing within the half-minute: the same.
    assert screen(client, wall="1").context["figures"].received == 5
    assert screen(client).context["figures"].received == 6
    assert settings.ANALYTICS_WALL_CACHE_SECONDS == 30
    cache.delete(wall_cache_key(district["district"], periods.of("today")))  # time passes
    assert screen(client, wall="1").context["figures"].received == 6


def test_the_htmx_refresh_sends_only_the_figures(client, leader, district, cases):
    client.force_login(leader)
    response = client.get(reverse("analytics:screen"), {"wall": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="screen-body"')
    assert "<html" not in html


def test_only_leaders_open_the_screen(client, operator, district):
    client.force_login(operator)
    assert client.get(reverse("analytics:screen")).status_code == 403


def test_the_screen_takes_a_fixed_number_of_queries(
    client, leader, operator, district, category, django_assert_max_num_queries
):
    for key in ("grid11", "grid12", "grid21", "grid22") * 3:
        f.make_case(actor=operator, grid=district[key], category=category)
    client.force_login(leader)
    with django_assert_max_num_queries(30):
        screen(client)


def test_the_case_list_filters_by_the_day_received(client, leader, cases):
    client.force_login(leader)
    today = timezone.localdate()
    response = client.get(
        reverse("cases:list"),
        {
            "created_after": today.isoformat(),
            "created_before": (today + timedelta(days=1)).isoformat(),
        },
    )
    assert response.context["page"].paginator.count == 5
    link = figures.case_list_url(created_after=today.isoformat())
    assert parse_qs(urlparse(link).query) == {"created_after": [today.isoformat()]}


def bearer(user) -> dict:
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_gives_the_same_figures(client, leader, district, cases):
    response = client.get("/api/analytics/figures", headers=bearer(leader))
    assert response.status_code == 200
    body = response.json()
    assert body["received"] == 5
    assert body["overdue"] == 1
    assert body["satisfaction_rate"] is None  # nothing rated in the rollup yet
    assert {a["code"]: a["received"] for a in body["areas"]} == {
        district["street1"].code: 4,
        district["street2"].code: 1,
    }


def test_the_api_refuses_other_roles_and_bad_periods(client, leader, operator, district):
    assert client.get("/api/analytics/figures", headers=bearer(operator)).status_code == 403
    bad = client.get(
        "/api/analytics/figures?period=custom&start=2026-05-02&end=2026-05-01",
        headers=bearer(leader),
    )
    assert bad.status_code == 400
