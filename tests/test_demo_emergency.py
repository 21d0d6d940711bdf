"""The demo's emergency command: a command-room account, three plans for 东营区 with the
demo's units, and one flood drill; loading twice adds nothing."""

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.pages import PAGES, home_page
from civicgrid.demo import emergency as demo
from civicgrid.demo import load
from civicgrid.emergency.models import Incident, Plan, PlanStep

pytestmark = pytest.mark.django_db


def test_the_demo_ships_three_plans_and_a_drill_for_the_command_room():
    load.load_geography(progress=False)
    load.load_departments()
    load.load_accounts()
    demo.load_demo()
    demo.load_demo()
    commander = User.objects.get(username="commander")
    assert commander.has_role(Role.COMMANDER)
    assert home_page(commander) == PAGES["incidents"]
    assert set(Plan.objects.values_list("code", flat=True)) == {
        "dyq-flood",
        "dyq-hazchem",
        "dyq-crowd",
    }
    assert not PlanStep.objects.filter(owner__isnull=True).exists()
    drill = Incident.objects.get()
    assert drill.drill
    assert drill.case is None
    assert drill.tasks.count() == 4
