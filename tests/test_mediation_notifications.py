"""Red and orange disputes reach the centre's leaders at once (mediation + notifications)."""

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.mediation import services
from civicgrid.mediation.events import GRADED
from civicgrid.mediation.models import Source
from civicgrid.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def mediator(district):
    return f.make_user(Role.MEDIATOR, regions=[district["district"]], username="mediator")


def _dispute(case, actor, **kw):
    return services.hand_over(case, actor=actor, type_code="0201", source=Source.HOTLINE, **kw)


def test_red_and_orange_reach_the_centres_leaders_at_once(
    new_case, mediator, leader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _dispute(new_case, mediator, people_involved=120)
    assert Notification.objects.filter(recipient=leader, case=new_case).exists()


def test_a_yellow_dispute_does_not_disturb_the_leaders(
    new_case, mediator, leader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _dispute(new_case, mediator, people_involved=3)
    assert not Notification.objects.filter(recipient=leader, event__action=GRADED).exists()
