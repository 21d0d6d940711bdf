"""The dispute rows drawn in Python (mediation/rows.py): what the board shows per row."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from civicgrid.cases.tests import factories as f
from civicgrid.mediation import services
from civicgrid.mediation.models import (
    Dispute,
    DisputeState,
    Organisation,
    OrganisationKind,
    Source,
)
from civicgrid.mediation.tests.test_pages import mediator  # noqa: F401 — a fixture


def _hand_over(operator, by, district, n, **extra):
    for _ in range(n):
        case = f.make_case(actor=operator, grid=district["grid11"])
        services.hand_over(case, actor=by, type_code="0201", source=Source.HOTLINE, **extra)


def test_the_board_shows_each_dispute_with_its_type_state_risk_and_confirmation_countdown(
    client,
    mediator,  # noqa: F811
    leader,
    operator,
    district,
):
    _hand_over(operator, mediator, district, 3)
    soon, late, far = Dispute.objects.select_related("case", "type").order_by("pk")
    now = timezone.now()
    for dispute, days in ((soon, 3), (late, -3), (far, 20)):
        Dispute.objects.filter(pk=dispute.pk).update(
            state=DisputeState.AGREED, confirm_by=now + timedelta(days=days)
        )
    client.force_login(leader)
    page = client.get(reverse("mediation:risk_board")).content.decode()
    assert f'<a href="/cases/{soon.case.number}/#dispute">{soon.case.number}</a>' in page
    assert 'data-confirm-days="3">3 days to confirm</small>' in page
    assert 'class="tag light-orange" data-confirm-days="3"' in page
    assert 'class="tag light-red" data-confirm-days="-3">judicial confirmation overdue' in page
    assert 'class="tag " data-confirm-days="20">20 days to confirm' in page
    assert "<td>written agreement</td>" in page
    assert 'class="tag risk-yellow">general (一般)</span>' in page
    assert f"<td>{soon.type.name}</td>" in page


def test_the_board_escapes_what_people_typed_and_says_when_it_is_empty(
    client,
    mediator,  # noqa: F811
    leader,
    operator,
    district,
):
    client.force_login(leader)
    assert "No disputes." in client.get(reverse("mediation:risk_board")).content.decode()
    _hand_over(operator, mediator, district, 1)
    organisation = Organisation.objects.create(
        name="<b>调解</b>", kind=OrganisationKind.STREET, region=district["street1"]
    )
    Dispute.objects.update(organisation=organisation)
    page = client.get(reverse("mediation:risk_board")).content.decode()
    assert "<small>&lt;b&gt;调解&lt;/b&gt;</small>" in page


def test_the_board_of_a_hundred_disputes_costs_no_more_queries_than_of_one(
    client,
    mediator,  # noqa: F811
    leader,
    operator,
    district,
    django_assert_max_num_queries,
):
    _hand_over(operator, mediator, district, 1)
    client.force_login(leader)
    client.get(reverse("mediation:risk_board"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("mediation:risk_board"))
    _hand_over(operator, mediator, district, 12)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("mediation:risk_board")).content.decode()
    assert page.count("<tr data-case=") == 13
