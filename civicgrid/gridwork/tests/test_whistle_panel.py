"""The whistle panel on a case page (#10 defect 17): the "departments summoned" heading
only when someone was summoned; the whistle only for who may blow it."""

import pytest
from django.urls import reverse

from civicgrid.cases.tests import factories as f
from civicgrid.gridwork import services

pytestmark = pytest.mark.django_db

HEADING = "Whistle: departments summoned"
WHISTLE = "Blow the whistle: summon departments to this case"


@pytest.fixture
def case(operator, district):
    return f.make_case(actor=operator, grid=district["grid11"])


def page(client, user, case) -> str:
    client.force_login(user)
    return client.get(reverse("cases:detail", args=[case.number])).content.decode()


def test_nobody_summoned_a_grid_worker_sees_the_whistle_but_no_summoned_heading(
    client, case, grid_worker
):
    html = page(client, grid_worker, case)
    assert WHISTLE in html
    assert HEADING not in html


def test_nobody_summoned_and_no_whistle_nothing_of_it_shows(client, case, operator):
    html = page(client, operator, case)
    assert WHISTLE not in html
    assert HEADING not in html
    assert 'id="summons"' not in html


def test_once_summoned_the_heading_and_the_departments_show(client, case, grid_worker, bureau):
    services.whistle(case, [bureau], actor=grid_worker, reason="占道经营，需执法到场")
    html = page(client, grid_worker, case)
    assert HEADING in html
    assert bureau.name in html
