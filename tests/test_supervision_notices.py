"""Who hears of supervision (notifications.RULES): the unit of its order, the inspectors
of a copied case, the centre of a unit's response."""

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases import services as case_services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f
from civicgrid.notifications.models import Notification
from civicgrid.supervision import services
from civicgrid.supervision.events import RESPONSE
from civicgrid.supervision.models import CopyReason, CopyRule, Level

pytestmark = pytest.mark.django_db


def test_the_unit_hears_of_its_order_the_inspector_of_the_copy_the_centre_of_the_response(
    new_case, dispatcher, handler, bureau, django_capture_on_commit_callbacks
):
    f.make_user(Role.INSPECTOR, department=bureau, username="inspector")
    case_services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    new_case.refresh_from_db()
    CopyRule.objects.create(reason=CopyReason.SUPERVISION)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        order = services.issue(new_case, bureau, Level.SUPERVISION, actor=dispatcher, reason="督办")
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"handler", "inspector"}
    with django_capture_on_commit_callbacks(execute=True):
        services.respond(order, actor=handler, response="已处理", done_by=timezone.localdate())
    answered = Notification.objects.filter(event__action=RESPONSE)
    assert set(answered.values_list("recipient__username", flat=True)) == {"dispatcher"}
