"""The demo's early warning: a few categories rising sharply in a street today raise
surge notices that the one screen shows; loading twice adds nothing."""

import pytest

from civicgrid.accounts.models import User
from civicgrid.analytics.models import SurgeNotice
from civicgrid.demo import load
from civicgrid.demo import surges as demo

pytestmark = pytest.mark.django_db


def test_the_demo_raises_a_few_surge_notices_that_the_one_screen_shows(client):
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    load.load_accounts()
    load.load_sample_cases(progress=False, count=40)
    raised = demo.load_demo(load.DISTRICT_CODE)
    assert demo.load_demo(load.DISTRICT_CODE) == []
    assert len(raised) == SurgeNotice.objects.count() == 3
    assert sorted(n.count for n in raised) == [6, 7, 9]
    client.force_login(User.objects.get(username="leader"))
    html = client.get("/map/screen/").content.decode()
    shown = client.get("/map/screen/").context["surges"]
    assert {n.pk for n in shown} == {n.pk for n in raised}
    for notice in raised:
        assert notice.category.name in html
