"""The demo's emergency command: a command-room account, three plans for 东营区 with the
demo's units, and one flood drill; loading twice adds nothing."""

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.pages import PAGES, home_page
from civicgrid.demo import emergency as demo
from civicgrid.demo import load
from civicgrid.emergency import resourcing
from civicgrid.emergency.models import Incident, Plan, PlanStep
from civicgrid.emergency.resources import Expert, Shelter

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


def test_the_demo_has_sandbags_teams_experts_and_shelters_near_the_flood_drill():
    load.load_geography(progress=False)
    load.load_departments()
    load.load_accounts()
    demo.load_demo()
    demo.load_demo()
    commander = User.objects.get(username="commander")
    drill = Incident.objects.get()
    teams = resourcing.nearest(drill, "teams", actor=commander, skill="flood")
    assert teams[0].name == "区防汛抢险队"
    assert teams[0].distance_km < 5
    held = resourcing.nearest(drill, "warehouses", actor=commander, item="03010101")
    assert len(held) == 4
    assert [s.warehouse.name for s in resourcing.low_stock()] == ["辛店街道应急物资储备点"]
    assert Expert.objects.count() == 3
    assert Shelter.objects.count() == 3
