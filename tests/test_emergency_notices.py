"""Emergency command and notifications (two apps of one floor): the units given tasks
are told in the app; a drill tells nobody."""

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.emergency import response
from civicgrid.emergency.tests.factories import make_commander, make_flood_plan, open_flood
from civicgrid.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(district):
    water = f.make_department("区水务局", code="SLJ")
    works = f.make_department("区住房和城乡建设局", code="ZJJ")
    return water, works


def test_the_units_handlers_hear_of_their_tasks_and_of_the_raise(
    district, units, django_capture_on_commit_callbacks
):
    water, works = units
    commander = make_commander(district)
    water_staff = f.make_user(Role.HANDLER, department=water, username="water")
    works_staff = f.make_user(Role.HANDLER, department=works, username="works")
    plan = make_flood_plan(commander, water, works)
    incident = open_flood(commander, district)
    with django_capture_on_commit_callbacks(execute=True):
        response.start_plan(incident, plan, 4, actor=commander)
    assert Notification.objects.filter(recipient=water_staff, case=incident.case).count() == 1
    assert not Notification.objects.filter(recipient=works_staff).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response.change_level(incident, 3, actor=commander)
    assert Notification.objects.filter(recipient=works_staff, case=incident.case).count() == 1


def test_a_drill_tells_nobody(district, units, django_capture_on_commit_callbacks):
    water, works = units
    commander = make_commander(district)
    f.make_user(Role.HANDLER, department=water, username="water")
    plan = make_flood_plan(commander, water, works)
    with django_capture_on_commit_callbacks(execute=True):
        drill = open_flood(commander, district, drill=True)
        response.start_plan(drill, plan, 4, actor=commander)
        response.end_response(drill, actor=commander)
    assert drill.tasks.count() == 2
    assert not Notification.objects.exists()
