"""The demo mediation centre: registry, a dozen disputes at every stage, loaded once."""

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.demo.mediation import DISPUTES, load_demo
from civicgrid.mediation import aftercare, queries
from civicgrid.mediation.models import (
    Dispute,
    DisputeState,
    Mediator,
    Organisation,
    OrganisationKind,
    Publication,
)

pytestmark = pytest.mark.django_db


def test_the_demo_centre_has_its_teams_committees_rooms_and_disputes(district):
    admin = f.make_user(Role.ADMIN, regions=[district["district"]], username="admin")
    admin.is_superuser = True
    admin.save()
    f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")
    mediator = f.make_user(Role.MEDIATOR, regions=[district["district"]], username="mediator")
    load_demo(district["district"].code)
    load_demo(district["district"].code)
    assert Organisation.objects.filter(kind=OrganisationKind.TEAM).count() == 3
    assert Organisation.objects.filter(kind=OrganisationKind.GRID_ROOM).exists()
    assert Dispute.objects.count() == len(DISPUTES)
    states = set(Dispute.objects.values_list("state", flat=True))
    assert {
        DisputeState.REGISTERED,
        DisputeState.REFUSED,
        DisputeState.AGREED,
        DisputeState.FAILED,
        DisputeState.CLOSED,
        DisputeState.CONFIRMED,
        DisputeState.NOTARISED,
        DisputeState.PERFORMED,
    } <= states
    # After the agreement: a countdown in its last week, one published, one re-mediated.
    countdown = Dispute.objects.get(case__title="拖欠货款纠纷")
    assert aftercare.confirmation_warning(countdown) == "orange"
    assert aftercare.overdue_obligations(Dispute.objects.all()).count() == 1
    assert Publication.objects.get().satisfaction == "satisfied"
    assert aftercare.remediation_count(Dispute.objects.get(case__title="拆迁补偿分配")) == 1
    # The demo mediator works for one team and sees only its disputes.
    team = Mediator.objects.get(user=mediator).organisation
    mine = queries.my_disputes(mediator)
    assert mine.exists()
    assert {d.organisation_id for d in mine} == {team.pk}
    board = list(queries.risk_board(admin))
    assert board[0].colour == "red"
