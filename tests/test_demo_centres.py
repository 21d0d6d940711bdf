"""The demo's levels of centres (docs/centres.md): 东营区 with two street sub-centres and
their communities staffed, cases held at each level, the rota; loading twice adds
nothing."""

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.cases import queries
from civicgrid.cases.models import Case
from civicgrid.centres.models import Stationing
from civicgrid.demo import centres as demo
from civicgrid.demo import load
from civicgrid.regions.models import Level

pytestmark = pytest.mark.django_db


def test_the_demo_has_street_and_community_centres_with_cases_at_each_level(capsys):
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    accounts = load.load_accounts()
    named = demo.load_demo(load.DISTRICT_CODE, load.DEMO_PASSWORD)
    assert demo.load_demo(load.DISTRICT_CODE, load.DEMO_PASSWORD) == named
    street = User.objects.get(username="streetdispatcher")
    station = User.objects.get(username="station")
    assert street.grants.get().regions.get().level == Level.STREET
    assert station.roles == [Role.OPERATOR, Role.DISPATCHER]
    assert {g.regions.get().level for g in station.grants.all()} == {Level.COMMUNITY}
    levels = {c.owner_region.level for c in Case.objects.filter(title__startswith="【分级】")}
    assert levels == {Level.COMMUNITY, Level.GRID, Level.STREET, Level.DISTRICT}
    other = User.objects.get(username="street2dispatcher")
    assert queries.triage_queue(street).exists()
    assert not queries.triage_queue(other).exists()
    assert Stationing.objects.count() == Stationing.objects.values("department").count() > 3
    load.print_accounts(accounts + [load.DemoAccount(*row) for row in named])
    printed = capsys.readouterr().out
    assert "streetdispatcher" in printed
    assert "station" in printed
