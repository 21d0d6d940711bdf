"""The demo's supervision: an inspector account, the copy rules, orders at each level,
an on-site record, a 1+N consultation and the problems of the month (未诉先办) with their
milestones, on the one screen; loading twice adds nothing."""

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.pages import PAGES, home_page
from civicgrid.demo import load
from civicgrid.demo import supervision as demo
from civicgrid.supervision.models import (
    Copy,
    CopyRule,
    Level,
    Milestone,
    Order,
    Project,
    Review,
    SiteVisit,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_orders_at_each_level_and_an_inspector_with_copies(client):
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
    # The problems of the month, each with milestones, some done, on the leader's screen.
    assert Project.objects.count() == 3
    assert Milestone.objects.filter(done_at__isnull=False).count() == 3
    assert Milestone.objects.filter(done_at__isnull=True).count() == 5
    client.force_login(User.objects.get(username="leader"))
    shown = client.get("/map/screen/").context["projects"]
    assert {p.title for p in shown} == set(Project.objects.values_list("title", flat=True))
    assert sorted(p.progress for p in shown) == [0, 33, 67]
