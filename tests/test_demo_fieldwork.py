"""The demo's field work: teams, households, months of visits (some overdue), a centre
task, a council and points; loading twice adds nothing."""

import pytest

from civicgrid.demo import fieldwork as demo
from civicgrid.demo import load
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import (
    CentreTask,
    Council,
    Household,
    MustAttendRule,
    PointEntry,
    TeamMember,
    Visit,
)

pytestmark = pytest.mark.django_db


def test_the_demo_grid_worker_has_households_visits_tasks_and_points():
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    load.load_accounts()
    demo.load_demo()
    demo.load_demo()
    from civicgrid.accounts.models import User

    worker = User.objects.get(username="gridworker")
    grids = worker.grants.get().regions.count()
    assert Household.objects.count() == 30 * grids
    assert TeamMember.objects.filter(role="leader").count() == grids
    assert Visit.objects.filter(visited_on__isnull=False).exists()
    assert services.due_visits(worker).exists()
    board = services.overdue_board(User.objects.get(username="leader"))
    assert board.total.due > 0
    assert CentreTask.objects.get().replies.filter(done_at__isnull=False).count() == 1
    assert Council.objects.get().tasks.count() == 3
    assert PointEntry.objects.filter(points__lt=0).count() == 1
    assert MustAttendRule.objects.count() >= 3
