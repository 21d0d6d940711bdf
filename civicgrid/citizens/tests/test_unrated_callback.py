"""A callback round that ended without a rating (#10): the citizen is not thanked for a
rating they never gave, and the case counts neither as satisfied nor unsatisfied."""

import pytest

from civicgrid.cases import callbacks, services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case
from civicgrid.cases.tests import factories as f
from civicgrid.citizens.queries import plain_status

pytestmark = pytest.mark.django_db


def test_the_citizen_reads_no_thanks_for_a_rating_they_did_not_give(
    settings, operator, dispatcher, handler, grid_worker, bureau, district, category
):
    settings.CIVICGRID_CALLBACK_CLOSE_UNRATED = False  # the centre closes by hand
    case = f.make_case(actor=operator, grid=district["grid11"], category=category)
    services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    services.act(case, Action.ACKNOWLEDGE, actor=handler)
    services.act(case, Action.REPLY, actor=handler, reply="已修复。")
    services.act(case, Action.VERIFY_PASS, actor=grid_worker)

    callbacks.call_back(Case.objects.get(pk=case.pk), actor=operator, outcome="refused")

    case = Case.objects.get(pk=case.pk)
    assert case.rating == ""
    assert plain_status(case) == "We called you back. The case will be closed shortly."
