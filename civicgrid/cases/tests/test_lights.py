"""The traffic light is one rule: what a case shows is what the filters select."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.cases.models import Case, Light, Status, light_at
from civicgrid.cases.queries import light_counts
from civicgrid.cases.tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_case_is_found_by_the_filter_of_the_light_it_shows(operator, district):
    now = timezone.now()
    hour = timedelta(hours=1)
    moments = [None, now - hour, now, now + hour]
    made = []
    for due_at, warn_at, status in itertools.product(
        moments, moments, [Status.HANDLING, Status.CLOSED]
    ):
        case = f.make_case(actor=operator, grid=district["grid11"])
        Case.objects.filter(pk=case.pk).update(due_at=due_at, warn_at=warn_at, status=status)
        case.refresh_from_db()
        made.append(case)
    shown = {case.pk: case.light(now) for case in made}
    assert set(shown.values()) == set(Light)
    for light in Light:
        found = set(Case.objects.with_light(light, now).values_list("pk", flat=True))
        assert found == {pk for pk, showing in shown.items() if showing == light}, light
    counts = light_counts(Case.objects.all(), now)
    for light in (Light.RED, Light.YELLOW, Light.GREEN):
        assert counts[light.value] == list(shown.values()).count(light)


def test_a_case_is_red_after_its_deadline_and_yellow_from_its_warning():
    now = timezone.now()
    hour = timedelta(hours=1)
    assert light_at(now - hour, now - 2 * hour, now) == Light.RED
    assert light_at(now + hour, now - hour, now) == Light.YELLOW
    assert light_at(now + 2 * hour, now + hour, now) == Light.GREEN
    assert light_at(None, None, now) == Light.NONE
    assert light_at(now - hour, None, now, is_open=False) == Light.NONE
