"""The demo's assessment: last month's cases with realistic shares, a scheme, reverse
evaluations and a red/black list; loading twice adds nothing."""

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.pages import PAGES, home_page
from civicgrid.assessment.indicators import indicators
from civicgrid.assessment.models import ListKind, MonthList, ReverseEvaluation, Scheme
from civicgrid.assessment.rollup import figures_from_scratch, figures_in_table
from civicgrid.assessment.services import month_bounds
from civicgrid.demo import assessment as demo
from civicgrid.demo import load

pytestmark = pytest.mark.django_db


def test_the_demo_month_feeds_the_figures_a_scheme_and_the_lists():
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    load.load_accounts()
    demo.load_demo()
    demo.load_demo()
    assessor = User.objects.get(username="assessor")
    assert assessor.has_role(Role.ASSESSOR)
    assert home_page(assessor) == PAGES["assessment"]
    assert Scheme.objects.count() == 1
    month = demo.last_month()
    row = indicators(*month_bounds(month), "all")[0]
    assert row.counts["received"] == 600
    # Most on time, some late, some reopened.
    assert 0.75 < row.rates["reply_on_time"] < 0.97
    assert 0.75 < row.rates["ack_on_time"] < 0.99
    assert row.counts["reopened"] == 25
    assert row.counts["returned"] > 0
    assert row.counts["extended"] > 0
    assert ReverseEvaluation.objects.filter(month=month).count() > 100
    listed = MonthList.objects.get(month=month)
    assert listed.entries.filter(kind=ListKind.RED).exists()
    assert figures_in_table() == figures_from_scratch()
