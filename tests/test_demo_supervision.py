"""The demo's supervision: an inspector account, the copy rules, orders at each level,
an on-site record and a 1+N consultation; loading twice adds nothing."""

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.pages import PAGES, home_page
from civicgrid.demo import load
from civicgrid.demo import supervision as demo
from civicgrid.supervision.models import Copy, CopyRule, Level, Order, Review, SiteVisit

pytestmark = pytest.mark.django_db


def test_the_demo_has_orders_at_each_level_and_an_inspector_with_copies():
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    load.load_accounts()
    load.load_sample_cases(progress=False, count=40)
    demo.load_demo()
    demo.load_demo()
    inspector = User.objects.get(username="inspector")
    assert inspector.has_role(Role.INSPECTOR)
    assert home_page(inspector) == PAGES["inspection"]
    levels = set(Order.objects.values_list("level", flat=True))
    assert levels == {Level.URGING, Level.SUPERVISION, Level.LISTED}
    assert Order.objects.count() == 5
    assert Order.objects.filter(public=True).count() == 1
    assert CopyRule.objects.filter(active=True).count() == 4
    # Supervision level and above are copied to discipline inspection.
    assert Copy.objects.count() == 3
    assert SiteVisit.objects.count() == 1
    assert Review.objects.get().leaders
