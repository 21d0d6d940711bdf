"""The demo has one account per role, and one official holding two (#9)."""

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.pages import PAGES, home_page
from civicgrid.demo import load

pytestmark = pytest.mark.django_db


def test_the_demo_official_dispatches_for_the_district_and_mediates_in_one_street(capsys):
    load.load_geography(progress=False)
    load.load_departments()
    accounts = load.load_accounts()
    assert len(load.load_accounts()) == len(accounts)  # safe to run again
    official = User.objects.get(username="official")
    district, street = (grant.regions.get() for grant in official.grants.order_by("pk"))
    assert official.roles == [Role.DISPATCHER, Role.MEDIATOR]
    assert street.parent == district
    assert home_page(official) == PAGES["triage"]
    load.print_accounts(accounts)
    printed = capsys.readouterr().out
    assert printed.count("official") == 1
    assert street.name in printed
    assert str(Role.MEDIATOR.label) in printed


def test_the_demo_has_a_dispatcher_at_the_city_centre_for_escalated_cases():
    load.load_geography(progress=False)
    load.load_departments()
    load.load_accounts()
    city = User.objects.get(username="citydispatcher").grants.get().regions.get()
    district = User.objects.get(username="dispatcher").grants.get().regions.get()
    assert district.parent == city
