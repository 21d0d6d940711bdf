"""My grids lists the cases a community passed down to the worker's grids, with the
solve-in-grid and raise actions a tap away (docs/centres.md)."""

import pytest

from civicgrid.accounts.models import Role
from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def workstation(district):
    return f.make_user(Role.DISPATCHER, regions=[district["community1"]], username="station")


def test_my_grids_lists_what_was_passed_down_with_its_actions_and_drops_it_once_solved(
    client, operator, workstation, grid_worker, district, category
):
    held = f.make_case(actor=operator, grid=district["grid11"], category=category)
    at_station = f.make_case(actor=operator, grid=district["grid12"], category=category)
    client.force_login(grid_worker)
    assert held.number not in client.get("/grid/").content.decode()
    lifecycle.apply(held, Action.PASS_DOWN, actor=workstation, note="网格员上门看看")
    page = client.get("/grid/").content.decode()
    section = page[page.index('id="passed-down"') : page.index('id="patrol-head"')]
    assert held.number in section
    assert at_station.number not in section  # the workstation still holds it
    forms = f"/cases/{held.number}/forms/tasks/"
    assert forms in section
    assert "Solve in the grid" in section
    assert "Raise to the community" in section
    actions = client.get(forms).content.decode()
    assert "action-solve_in_grid" in actions
    assert "action-raise_from_grid" in actions
    lifecycle.apply(held, Action.SOLVE_IN_GRID, actor=grid_worker, reply="已清理")
    page = client.get("/grid/").content.decode()
    section = page[page.index('id="passed-down"') : page.index('id="patrol-head"')]
    assert held.number not in section
    assert "Nothing passed down to your grids." in section


def test_another_grid_workers_page_does_not_list_my_grids_cases(
    client, operator, workstation, grid_worker, district, category
):
    other = f.make_user(Role.GRID_WORKER, regions=[district["grid21"]], username="other")
    held = f.make_case(actor=operator, grid=district["grid11"], category=category)
    lifecycle.apply(held, Action.PASS_DOWN, actor=workstation, note="网格员上门看看")
    client.force_login(other)
    assert held.number not in client.get("/grid/").content.decode()
