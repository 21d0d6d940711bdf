import pytest

from civicgrid.cases.tests import factories as f

from .factories import make_commander, make_flood_plan


@pytest.fixture
def commander(district):
    return make_commander(district)


@pytest.fixture
def water(db):
    return f.make_department("区水务局", code="SLJ")


@pytest.fixture
def works(db):
    return f.make_department("区住房和城乡建设局", code="ZJJ")


@pytest.fixture
def water_handler(water):
    return f.make_user("handler", department=water, username="water")


@pytest.fixture
def works_handler(works):
    return f.make_user("handler", department=works, username="works")


@pytest.fixture
def flood_plan(commander, water, works):
    return make_flood_plan(commander, water, works)
