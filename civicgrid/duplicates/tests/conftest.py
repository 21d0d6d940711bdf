import pytest

from civicgrid.duplicates.neighbours import build_grid_neighbours


@pytest.fixture
def neighbours(district, other_district):
    """Which grids touch, for the test districts (the factories do not import regions)."""
    build_grid_neighbours()
    return district
