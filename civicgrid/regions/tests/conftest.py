import pytest

from civicgrid.regions import locator
from civicgrid.regions.models import LEVEL_ORDER, Region
from civicgrid.regions.services import load_demo_geography


@pytest.fixture(scope="module")
def dongying(django_db_setup, django_db_blocker):
    """The shipped 东营区 geography, imported once for the module."""
    with django_db_blocker.unblock():
        load_demo_geography(progress=False)
        yield
        for level in reversed(LEVEL_ORDER):
            Region.objects.filter(code__startswith="3705", level=level).delete()
        locator.refresh()
