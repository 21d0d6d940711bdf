"""The mediator's day, the court liaison, and the grid worker's screening on a phone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.mediation import services
from civicgrid.mediation.models import (
    Mediator,
    Organisation,
    OrganisationKind,
    ResolutionMethod,
    ScreeningReport,
    Source,
)
from civicgrid.mediation.taxonomy import load_taxonomies

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def mediator(district):
    return f.make_user(Role.MEDIATOR, regions=[district["district"]], username="mediator")


@pytest.fixture
def team(district, mediator):
    team = Organisation.objects.create(
        name="诉调对接工作室", kind=OrganisationKind.TEAM, region=district["district"]
    )
    Mediator.objects.create(name="王调解", user=mediator, organisation=team)
    return team


def _court_dispute(operator, district, category, mediator, team, source):
    case = f.make_case(actor=operator, grid=district["grid11"], category=category)
    dispute = services.hand_over(
        case, actor=mediator, type_code="0201", source=source, other_side_consents=True
    )
    services.assign(
        dispute, actor=mediator, organisation=team, mediators=list(team.mediators.all())
    )
    services.accept(dispute, actor=mediator)
    services.add_session(
        dispute,
        actor=mediator,
        held_at=timezone.now() - timedelta(minutes=10),
        place="诉调对接室",
        attendees="双方",
        record="陈述",
    )
    return dispute


@pytest.mark.django_db
def test_the_mediators_day_shows_todays_sessions_and_the_near_deadlines(
    client, operator, district, category, mediator, team
):
    dispute = _court_dispute(operator, district, category, mediator, team, Source.COURT_ENTRUSTED)
    client.force_login(mediator)
    page = client.get(reverse("mediation:home"))
    assert page.status_code == 200
    text = page.content.decode()
    sessions = text.split('id="sessions-today"')[1].split("</section>")[0]
    assert dispute.case.number in sessions
    # Entrusted by the court: 15 working days, so not yet within three days.
    due = text.split('id="due-soon"')[1].split("</section>")[0]
    assert dispute.case.number not in due
    type(dispute).objects.filter(pk=dispute.pk).update(due_at=timezone.now() + timedelta(days=1))
    due = client.get(reverse("mediation:home")).content.decode().split('id="due-soon"')[1]
    assert dispute.case.number in due.split("</section>")[0]


@pytest.mark.django_db
def test_the_court_liaison_sees_court_cases_and_the_referrals_back_to_court(
    client, operator, district, category, mediator, team, leader
):
    sent = _court_dispute(operator, district, category, mediator, team, Source.COURT_DELEGATED)
    failed = _court_dispute(operator, district, category, mediator, team, Source.COURT_ENTRUSTED)
    route = [ResolutionMethod.objects.first().pk]
    services.fail(failed, actor=mediator, reason="分歧大", routes=route)
    services.refer(failed, actor=mediator, to="court", note="请优先立案")
    _court_dispute(operator, district, category, mediator, team, Source.HOTLINE)
    client.force_login(leader)
    text = client.get(reverse("mediation:court_liaison")).content.decode()
    cases = text.split('id="court-cases"')[1].split("</section>")[0]
    assert sent.case.number in cases
    assert failed.case.number in cases
    assert cases.count("data-case=") == 2
    back = text.split('id="green-channel"')[1].split("</section>")[0]
    assert failed.case.number in back
    assert sent.case.number not in back


@pytest.mark.django_db
def test_a_court_liaison_sees_what_the_court_sent_in_its_regions_and_nothing_else(
    client, operator, district, other_district, category, mediator, team
):
    sent = _court_dispute(operator, district, category, mediator, team, Source.COURT_DELEGATED)
    failed = _court_dispute(operator, district, category, mediator, team, Source.HOTLINE)
    route = [ResolutionMethod.objects.first().pk]
    services.fail(failed, actor=mediator, reason="分歧大", routes=route)
    services.refer(failed, actor=mediator, to="court", note="请优先立案")
    hotline = _court_dispute(operator, district, category, mediator, team, Source.HOTLINE)
    liaison = f.make_user(Role.COURT_LIAISON, regions=[district["district"]], username="liaison")
    client.force_login(liaison)
    # Home is the court-liaison page; the page lists the court's case and the referral.
    home = client.get(reverse("home"), follow=True)
    assert home.redirect_chain[-1][0] == reverse("mediation:court_liaison")
    text = home.content.decode()
    cases = text.split('id="court-cases"')[1].split("</section>")[0]
    assert cases.count("data-case=") == 1
    assert sent.case.number in cases
    back = text.split('id="green-channel"')[1].split("</section>")[0]
    assert failed.case.number in back
    assert hotline.case.number not in text
    # Nothing of the centre's work: no lists, boards, statistics, no move on a dispute.
    for name in ("mediation:list", "mediation:risk_board", "mediation:statistics"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("mediation:home")).status_code == 403
    client.post(reverse("mediation:act", args=[sent.case.number]), {"move": "fail", "reason": "x"})
    sent.refresh_from_db()
    assert sent.state == "mediating"
    # Another district's liaison sees none of it.
    client.force_login(
        f.make_user(Role.COURT_LIAISON, regions=[other_district["district"]], username="far")
    )
    text = client.get(reverse("mediation:court_liaison")).content.decode()
    assert sent.case.number not in text
    assert failed.case.number not in text


@pytest.mark.django_db
def test_a_grid_worker_opens_neither_the_mediators_day_nor_the_court_liaison(client, grid_worker):
    client.force_login(grid_worker)
    assert client.get(reverse("mediation:home")).status_code == 403
    assert client.get(reverse("mediation:court_liaison")).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_grid_worker_files_a_dispute_found_from_a_phone(
    live_server, new_page, sign_in, shot, grid_worker, district
):
    load_taxonomies()  # a transactional test empties the tables migrations filled
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, live_server.url, "gridworker")
    page.goto(f"{live_server.url}/mediation/screening/")
    # Nothing wider than the phone: the form fits without sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("select[name=grid]", district["grid12"].code)
    page.locator("select[name=type]").first.select_option("0201")
    page.locator("textarea[name=summary]").first.fill("两户因楼道堆物争吵")
    page.locator("input[name=people]").first.fill("3")
    with page.expect_navigation():
        page.click("#screening-form button[type=submit]")
    # Back on the form (in Chinese once translated), the report listed as filed.
    assert page.url.endswith("/mediation/screening/")
    assert district["grid12"].name in page.inner_text("section.card:last-of-type")
    shot(page, "mediation-screening-phone")
    report = ScreeningReport.objects.get()
    assert report.grid == district["grid12"]
    assert report.findings.get().dispute.source == Source.SCREENING


@pytest.mark.django_db
def test_the_registry_puts_each_organisation_on_the_map_at_its_region(client, leader, team):
    client.force_login(leader)
    page = client.get(reverse("mediation:registry"), {"q": "诉调"})
    assert page.status_code == 200
    places = page.context["places"]
    assert [p["name"] for p in places] == ["诉调对接工作室"]
    assert places[0]["mediators"] == 1
    assert 'id="registry-places"' in page.content.decode()
    assert "leaflet/leaflet.js" in page.content.decode()
