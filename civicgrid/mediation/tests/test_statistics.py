"""Mediation statistics: the rollup agrees with the raw disputes, the page and the export,
and Zhangye's published figures reproduced from the seeded data set."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.mediation import aftercare, figures, services, statistics
from civicgrid.mediation.models import (
    Dispute,
    MediationMonth,
    Mediator,
    Organisation,
    OrganisationKind,
    ResolutionMethod,
    Source,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mediator(district):
    return f.make_user(Role.MEDIATOR, regions=[district["district"]], username="mediator")


@pytest.fixture
def team(district, mediator):
    team = Organisation.objects.create(
        name="劳动保障专业调委会", kind=OrganisationKind.TEAM, region=district["district"]
    )
    Mediator.objects.create(name="王调解", user=mediator, organisation=team)
    Mediator.objects.create(name="李调解", organisation=team)
    return team


def _accepted(operator, district, category, mediator, team, *, source=Source.HOTLINE, amount=0):
    case = f.make_case(actor=operator, grid=district["grid11"], category=category)
    dispute = services.hand_over(
        case,
        actor=mediator,
        type_code="0201",
        source=source,
        other_side_consents=True,
        amount=amount,
    )
    services.assign(
        dispute, actor=mediator, organisation=team, mediators=list(team.mediators.all())
    )
    services.accept(dispute, actor=mediator)
    services.add_session(
        dispute,
        actor=mediator,
        held_at=timezone.now() - timedelta(minutes=30),
        place="调解室",
        attendees="双方",
        record="陈述",
    )
    return dispute


def _routes():
    return [ResolutionMethod.objects.first().pk]


@pytest.fixture
def disputes(operator, district, category, mediator, team, django_capture_on_commit_callbacks):
    """Five disputes moved through the services, the rollup following each move."""
    with django_capture_on_commit_callbacks(execute=True):
        one = _accepted(operator, district, category, mediator, team, amount="1000")
        services.agree(
            one,
            actor=mediator,
            facts="赔偿",
            obligations=[
                services.ObligationInput("甲", "付款", timezone.localdate() + timedelta(days=3))
            ],
            signed=True,
        )
        services.apply_confirmation(one, actor=mediator)
        aftercare.follow_up(
            one.obligations.get(), actor=mediator, result="performed", on=timezone.localdate()
        )
        services.perform(one, actor=mediator)
        services.close(one, actor=mediator, prevented_criminal=True)
        two = _accepted(operator, district, category, mediator, team, source=Source.PETITION)
        services.agree_orally(two, actor=mediator, facts="口头道歉")
        services.perform(two, actor=mediator)
        services.close(two, actor=mediator, prevented_group_petition=True)
        three = _accepted(operator, district, category, mediator, team, amount="250.5")
        services.fail(three, actor=mediator, reason="分歧大", routes=_routes())
        services.close(three, actor=mediator)
        _accepted(operator, district, category, mediator, team)  # still mediating
        case = f.make_case(actor=operator, grid=district["grid12"], category=category)
        services.hand_over(case, actor=mediator, type_code="0201", source=Source.HOTLINE)
    return [one, two, three]


def test_the_rollup_follows_the_moves_and_agrees_with_counting_the_disputes(disputes, team):
    assert MediationMonth.objects.exists()
    for group in statistics.GROUPS:
        filters = statistics.Filters(group=group)
        rows, total = statistics.table(filters)
        raw_rows, raw_total = statistics.count_raw(filters)
        assert [(r.accepted, r.succeeded, r.amount) for r in rows] == [
            (r.accepted, r.succeeded, r.amount) for r in raw_rows
        ], group
        for counter in statistics.COUNTERS:
            assert getattr(total, counter) == getattr(raw_total, counter), (group, counter)
    rows, total = statistics.table(statistics.Filters(group="organisation"))
    assert (total.accepted, total.succeeded, total.written, total.oral) == (4, 2, 1, 1)
    assert total.rate_text == "50.00 %"
    assert (total.confirmations, total.performed) == (1, 2)
    assert (total.prevented_criminal, total.prevented_petition) == (1, 1)
    assert total.amount == 1250.5


def test_a_full_rebuild_gives_the_same_rows_as_the_moves_kept(disputes):
    before = sorted(
        MediationMonth.objects.values_list("mediator_id", "source", "accepted", "succeeded"),
        key=str,
    )
    MediationMonth.objects.all().delete()
    statistics.rebuild()
    after = sorted(
        MediationMonth.objects.values_list("mediator_id", "source", "accepted", "succeeded"),
        key=str,
    )
    assert after == before


def test_each_mediator_of_a_dispute_counts_it_but_the_total_counts_it_once(disputes, team):
    rows, total = statistics.table(statistics.Filters(group="mediator"))
    assert sorted(r.label for r in rows) == ["李调解", "王调解"]
    assert all(r.accepted == 4 for r in rows)
    assert total.accepted == 4


def test_no_data_shows_a_dash_not_a_division_by_zero(client, leader):
    client.force_login(leader)
    page = client.get(reverse("mediation:statistics"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "No disputes accepted under these filters." in text
    assert "—" in text
    assert statistics.Row(key=None, label="").rate_text == "—"


def test_the_statistics_page_filters_by_source_and_exports_to_excel(client, leader, disputes):
    client.force_login(leader)
    page = client.get(reverse("mediation:statistics"), {"group": "source"})
    assert page.status_code == 200
    table = page.content.decode().split('id="statistics"')[1]
    assert 'data-row="hotline"' in table
    assert 'data-row="petition"' in table
    assert 'data-row="application"' not in table
    petition = client.get(
        reverse("mediation:statistics"), {"group": "source", "source": "petition"}
    )
    assert 'data-row="hotline"' not in petition.content.decode()
    export = client.get(reverse("mediation:statistics_export"), {"group": "source"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    table = list(sheet.values)
    assert table[0][:4] == ("source", "accepted", "mediated successfully", "success rate")
    assert table[-1][:4] == ("total", 4, 2, 50.0)


def test_the_zhangye_figures_are_reproduced_from_the_seeded_data_set(client, leader, district):
    figures.seed(district["district"])
    assert Dispute.objects.filter(source=Source.COURT_DELEGATED).count() == 4248
    client.force_login(leader)
    page = client.get(reverse("mediation:statistics"), {"group": "source"})
    text = page.content.decode()
    delegated = text.split('data-row="court_delegated"')[1].split("</tr>")[0]
    entrusted = text.split('data-row="court_entrusted"')[1].split("</tr>")[0]
    assert '<td class="accepted">4248</td><td class="succeeded">2666</td>' in delegated
    assert '<td class="rate">62.76 %</td>' in delegated
    assert '<td class="accepted">1970</td><td class="succeeded">1121</td>' in entrusted
    assert '<td class="rate">56.90 %</td>' in entrusted
    # Seeding again replaces the data set rather than doubling it.
    figures.seed(district["district"])
    rows, total = statistics.table(statistics.Filters(group="source"))
    assert total.accepted == 4248 + 1970


def test_a_mediator_does_not_open_the_statistics(client, mediator):
    client.force_login(mediator)
    assert client.get(reverse("mediation:statistics")).status_code == 403
    assert client.get(reverse("mediation:statistics_export")).status_code == 403


def _agreed(operator, district, category, mediator, team):
    dispute = _accepted(operator, district, category, mediator, team)
    services.agree(
        dispute,
        actor=mediator,
        facts="赔偿",
        obligations=[
            services.ObligationInput("甲", "付款", timezone.localdate() + timedelta(days=10))
        ],
        signed=True,
    )
    return dispute


@pytest.fixture
def rulings(operator, district, category, mediator, team, django_capture_on_commit_callbacks):
    """Four written agreements: confirmed, rejected and pending in court, and notarised."""
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        disputes = [_agreed(operator, district, category, mediator, team) for _ in range(4)]
        confirmed, rejected, pending, notarised = disputes
        for dispute in (confirmed, rejected, pending):
            aftercare.apply_for_confirmation(
                dispute, actor=mediator, court="东营区人民法院", applied_on=today
            )
        aftercare.record_ruling(
            confirmed,
            actor=mediator,
            ruling="confirmed",
            ruled_on=today,
            reference="(2026)鲁0502民特1号",
        )
        aftercare.record_ruling(rejected, actor=mediator, ruling="rejected", ruled_on=today)
        aftercare.notarise(
            notarised,
            actor=mediator,
            office="东营市公证处",
            notarised_on=today,
            certificate="2026-7",
        )
    return disputes


def test_the_rulings_are_counted_cell_by_cell_exactly_as_in_the_raw_disputes(rulings, team):
    for group in statistics.GROUPS:
        rows, total = statistics.table(statistics.Filters(group=group))
        raw_rows, raw_total = statistics.count_raw(statistics.Filters(group=group))
        counters = ("confirmations", "confirmed", "rejected", "pending", "notarised")
        assert [[getattr(r, c) for c in counters] for r in rows] == [
            [getattr(r, c) for c in counters] for r in raw_rows
        ], group
        assert [getattr(total, c) for c in counters] == [getattr(raw_total, c) for c in counters]
    rows, total = statistics.table(statistics.Filters(group="organisation"))
    assert (total.confirmations, total.confirmed, total.rejected, total.pending) == (3, 1, 1, 1)
    assert total.notarised == 1
    # A full rebuild counts the same.
    MediationMonth.objects.all().delete()
    statistics.rebuild()
    rows, again = statistics.table(statistics.Filters(group="organisation"))
    assert (again.confirmed, again.rejected, again.pending, again.notarised) == (1, 1, 1, 1)


def test_the_statistics_page_and_its_export_show_the_rulings(client, leader, rulings, team):
    client.force_login(leader)
    page = client.get(reverse("mediation:statistics"))
    text = page.content.decode()
    assert "Judicially confirmed" in text
    assert "Notarised" in text
    row = text.split(f'data-row="{team.pk}"')[1].split("</tr>")[0]
    assert '<td class="confirmed">1</td><td class="rejected">1</td>' in row
    assert '<td class="pending">1</td><td class="notarised">1</td>' in row
    export = client.get(reverse("mediation:statistics_export"))
    sheet = list(load_workbook(io.BytesIO(export.content)).active.values)
    header, total = sheet[0], sheet[-1]
    counted = dict(zip(header, total, strict=True))
    assert counted["judicially confirmed"] == 1
    assert counted["confirmation rejected"] == 1
    assert counted["ruling pending"] == 1
    assert counted["notarised"] == 1


def test_the_rollup_command_recounts_every_month(rulings, capsys):
    MediationMonth.objects.all().delete()
    call_command("mediation_rollup")
    assert "rollup rows" in capsys.readouterr().out
    rows, total = statistics.table(statistics.Filters(group="organisation"))
    assert (total.accepted, total.confirmed, total.notarised) == (4, 1, 1)
