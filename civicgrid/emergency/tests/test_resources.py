"""Resources: the nearest suitable for an incident, a team sent and moving, stock shipped."""

import threading

import pytest
from django.db import IntegrityError, connection

from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.core.models import PersonalDataRead
from civicgrid.emergency import resourcing
from civicgrid.emergency.models import LogEntry
from civicgrid.emergency.resources import Expert, Item, Shelter, Stock, Team, Warehouse

from .factories import open_flood


def _near(incident, dlng, dlat):
    return {"lng": incident.lng + dlng, "lat": incident.lat + dlat}


@pytest.fixture
def flood(commander, district):
    return open_flood(commander, district)


@pytest.fixture
def sandbags(db):
    return Item.objects.create(code="03010101", name="沙袋", unit_of_measure="条")


def test_the_nearest_team_with_the_skill_comes_first_with_its_distance(flood, commander):
    Team.objects.create(name="远队", skills=["flood"], size=30, **_near(flood, 0.05, 0))
    Team.objects.create(name="近队", skills=["flood"], size=50, **_near(flood, 0.01, 0))
    Team.objects.create(name="化工队", skills=["hazmat"], **_near(flood, 0.001, 0))
    Team.objects.create(name="休整队", skills=["flood"], available=False, **_near(flood, 0, 0))
    found = resourcing.nearest(flood, "teams", actor=commander, skill="flood")
    assert [t.name for t in found] == ["近队", "远队"]
    assert 0.9 < found[0].distance_km < 1.1


def test_only_warehouses_holding_the_item_are_offered(flood, commander, sandbags):
    empty = Warehouse.objects.create(name="空库", **_near(flood, 0.001, 0))
    full = Warehouse.objects.create(name="满库", **_near(flood, 0.02, 0))
    Stock.objects.create(warehouse=empty, item=sandbags, quantity=0)
    Stock.objects.create(warehouse=full, item=sandbags, quantity=500)
    found = resourcing.nearest(flood, "warehouses", actor=commander, item="03010101")
    assert [s.warehouse.name for s in found] == ["满库"]


def test_experts_and_shelters_are_ranked_too(flood, commander):
    Expert.objects.create(name="王工", field="水利", phone="13800001234", **_near(flood, 0.01, 0))
    Expert.objects.create(name="李工", field="化工", **_near(flood, 0.001, 0))
    Shelter.objects.create(name="体育馆", capacity=2000, **_near(flood, 0, 0.01))
    assert [
        e.name for e in resourcing.nearest(flood, "experts", actor=commander, field="水利")
    ] == ["王工"]
    assert resourcing.nearest(flood, "shelters", actor=commander)[0].name == "体育馆"


def test_bad_searches_are_refused_clearly(flood, commander):
    with pytest.raises(InvalidAction, match="teams, warehouses"):
        resourcing.nearest(flood, "boats", actor=commander)
    with pytest.raises(InvalidAction, match="between 1 and 50"):
        resourcing.nearest(flood, "teams", actor=commander, limit=0)
    with pytest.raises(InvalidAction, match="material"):
        resourcing.nearest(flood, "warehouses", actor=commander, item="nope")


def test_an_outsider_cannot_search(flood, outsider):
    with pytest.raises(ActionRefused):
        resourcing.nearest(flood, "teams", actor=outsider)


def test_the_circles_follow_the_travel_speed(settings):
    # One road class at 60 km/h and no detour: a kilometre a minute.
    settings.EMERGENCY_ROAD = {"detour": 1.0, "classes": [["road", None, 60]]}
    assert [c["radius_m"] for c in resourcing.circles()] == [1000, 3000, 5000]


def test_a_team_is_sent_then_acknowledges_departs_and_arrives_in_the_log(
    flood, commander, water, water_handler
):
    team = Team.objects.create(name="防汛抢险队", unit=water, size=50, **_near(flood, 0.01, 0))
    deployment = resourcing.deploy(flood, team, actor=commander)
    assert Team.objects.get(pk=team.pk).available is False
    with pytest.raises(InvalidAction, match="depart|not available|follow"):
        resourcing.move_deployment(deployment, "depart", actor=water_handler)
    for move in ("acknowledge", "depart", "arrive"):
        deployment = resourcing.move_deployment(deployment, move, actor=water_handler)
    assert deployment.status == "arrived"
    assert deployment.acknowledged_at <= deployment.departed_at <= deployment.arrived_at
    lines = list(
        LogEntry.objects.filter(incident=flood, kind="resource").values_list("text", flat=True)
    )
    assert len(lines) == 4
    assert "arrived" in lines[-1]
    with pytest.raises(InvalidAction, match="not available"):
        resourcing.deploy(flood, team, actor=commander)


def test_someone_outside_the_team_unit_cannot_move_it(flood, commander, works_handler):
    team = Team.objects.create(name="队", **_near(flood, 0, 0))
    deployment = resourcing.deploy(flood, team, actor=commander)
    with pytest.raises(ActionRefused):
        resourcing.move_deployment(deployment, "acknowledge", actor=works_handler)


def test_shipping_takes_the_stock_and_refuses_more_than_there_is(flood, commander, sandbags):
    wh = Warehouse.objects.create(name="区防汛仓库", **_near(flood, 0.01, 0))
    stock = Stock.objects.create(warehouse=wh, item=sandbags, quantity=100, minimum=50)
    resourcing.ship(flood, wh, sandbags, 60, actor=commander)
    stock.refresh_from_db()
    assert stock.quantity == 40
    assert stock.low
    assert list(resourcing.low_stock()) == [stock]
    with pytest.raises(InvalidAction, match="holds only 40"):
        resourcing.ship(flood, wh, sandbags, 41, actor=commander)
    for bad in (0, -3, "x", 2.5):
        with pytest.raises(InvalidAction, match="whole quantity"):
            resourcing.ship(flood, wh, sandbags, bad, actor=commander)
    stock.refresh_from_db()
    assert stock.quantity == 40
    assert LogEntry.objects.filter(incident=flood, kind="resource").count() == 1


def test_the_database_refuses_negative_stock(db, sandbags):
    wh = Warehouse.objects.create(name="库", lng=118.5, lat=37.4)
    with pytest.raises(IntegrityError):
        Stock.objects.create(warehouse=wh, item=sandbags, quantity=-1)


def test_revealing_an_expert_phone_is_audited(commander, db):
    expert = Expert.objects.create(name="王工", field="水利", phone="13800001234", lng=118, lat=37)
    assert expert.masked_phone == "138****1234"
    assert resourcing.reveal_expert_phone(expert, actor=commander, reason="调度") == "13800001234"
    assert PersonalDataRead.objects.filter(user=commander, field="expert phone").exists()


@pytest.mark.django_db(transaction=True)
def test_two_shipments_racing_for_the_last_units_exactly_one_wins(district, commander):
    if connection.vendor != "postgresql":
        pytest.skip("the row lock race needs PostgreSQL (SQLite serialises every writer)")
    flood = open_flood(commander, district)
    sandbags = Item.objects.create(code="03010101", name="沙袋", unit_of_measure="条")
    wh = Warehouse.objects.create(name="库", lng=flood.lng, lat=flood.lat)
    Stock.objects.create(warehouse=wh, item=sandbags, quantity=10)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take():
        try:
            barrier.wait()
            resourcing.ship(flood, wh, sandbags, 10, actor=commander)
            outcomes.append("won")
        except InvalidAction:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "won"]
    assert Stock.objects.get(warehouse=wh).quantity == 0
