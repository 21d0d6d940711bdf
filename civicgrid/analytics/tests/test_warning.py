"""Early warning (预警): a surge against the area's own 28 days raises one notice; a flat
series, or a rise under the minimum, raises none."""

from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from civicgrid.analytics.models import SurgeNotice
from civicgrid.analytics.warning import Rule, raise_notices, surges
from civicgrid.cases.models import Case
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.django_db


def series(operator, grid, category, counts: list[int]) -> None:
    """``counts[i]`` cases ``len(counts) - 1 - i`` days ago (the last is today)."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    for i, n in enumerate(counts):
        day = today - timedelta(days=len(counts) - 1 - i)
        for _ in range(n):
            case = f.make_case(actor=operator, grid=grid, category=category)
            at = datetime.combine(day, time(10), tzinfo=tz)
            Case.objects.filter(pk=case.pk).update(created_at=at)


def test_a_surge_against_the_last_28_days_raises_a_notice(operator, district, category):
    series(operator, district["grid11"], category, [1, 0, 1, 1] * 7 + [9])
    (notice,) = raise_notices(timezone.localdate())
    assert notice.region == district["street1"]
    assert notice.category == category
    assert notice.count == 9
    assert notice.baseline_mean == 0.75
    assert notice.threshold < 9


def test_a_flat_series_raises_nothing(operator, district, category):
    series(operator, district["grid11"], category, [6] * 29)
    assert surges(timezone.localdate()) == []


def test_a_sharp_rise_under_the_minimum_raises_nothing(operator, district, category):
    series(operator, district["grid11"], category, [0] * 28 + [3])
    assert surges(timezone.localdate(), Rule(minimum=5)) == []


def test_running_the_command_twice_raises_the_notice_once(operator, district, category):
    series(operator, district["grid21"], category, [0] * 28 + [6])
    call_command("early_warning", verbosity=0)
    call_command("early_warning", verbosity=0)
    assert SurgeNotice.objects.count() == 1


def test_the_centre_sees_the_surge_on_the_screen_and_the_warnings_page(
    client, leader, operator, district, category
):
    series(operator, district["grid11"], category, [0] * 28 + [7])
    raise_notices(timezone.localdate())
    client.force_login(leader)
    screen = client.get(reverse("analytics:screen")).content.decode()
    assert 'id="surges"' in screen
    assert category.name in screen.split('id="surges"')[1].split("</section>")[0]
    assert category.name in client.get(reverse("analytics:warnings")).content.decode()
