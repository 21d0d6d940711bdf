"""Lifecycle moves reach the people who must act (moved here from the cases tests)."""

from datetime import timedelta

import pytest

from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.tests import factories as f
from civicgrid.notifications.models import Notification
from civicgrid.notifications.services import notify_for_event

pytestmark = pytest.mark.django_db


def test_the_overdue_job_marks_once_and_notifies_the_department(
    new_case, dispatcher, handler, bureau, django_capture_on_commit_callbacks
):
    services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    new_case.refresh_from_db()
    later = new_case.due_at + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_overdue(now=later) == 1
        assert services.mark_overdue(now=later) == 0
    assert new_case.events.filter(action=Action.MARK_OVERDUE).count() == 1
    assert Notification.objects.filter(
        recipient=handler, event__action=Action.MARK_OVERDUE
    ).exists()


def test_dispatch_notifies_the_department_once(
    new_case, dispatcher, handler, bureau, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    notify_for_event(event.pk)  # a retry must not duplicate
    assert Notification.objects.filter(recipient=handler, event=event).count() == 1


def test_a_normal_new_case_waits_in_the_queue_but_an_urgent_one_interrupts_the_dispatcher(
    operator, dispatcher, district, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        f.make_case(actor=operator, grid=district["grid11"], category=category)
        urgent = f.make_case(
            actor=operator, grid=district["grid11"], category=category, urgency="urgent"
        )
    assert list(
        Notification.objects.filter(recipient=dispatcher).values_list("case", flat=True)
    ) == [urgent.pk]
