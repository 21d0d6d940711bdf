"""Supervision end to end in headless Chromium, as the users see it (in Chinese): a case
goes overdue, ``supervise`` gives its unit 催办, later 督办, which copies it to the
discipline inspector; the unit responds on the case page; the case is closed with the
citizen satisfied; the inspector signs it off. Screenshots go to ``test-artifacts/``."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases import services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case
from civicgrid.cases.tests import factories as f
from civicgrid.supervision.models import Copy, CopyReason, CopyRule, Level, Order, OrderStatus
from civicgrid.supervision.services import days_late, supervise

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def late_by(case: Case, days: float) -> None:
    """Move the case's deadline back until ``days`` working days have passed since."""
    now = timezone.now()
    due = now
    while days_late(due, now) < days:
        due -= timedelta(hours=1)
    Case.objects.filter(pk=case.pk).update(due_at=due)


def test_a_late_case_is_urged_supervised_copied_answered_closed_and_signed_off(
    live_server,
    district,
    category,
    bureau,
    new_page,
    sign_in,
    shot,
):
    operator = f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")
    dispatcher = f.make_user(Role.DISPATCHER, regions=[district["district"]], username="dispatcher")
    handler = f.make_user(Role.HANDLER, department=bureau, username="handler")
    f.make_user(Role.LEADER, regions=[district["district"]], username="leader")
    f.make_user(Role.INSPECTOR, department=bureau, username="inspector")
    CopyRule.objects.create(reason=CopyReason.SUPERVISION)
    case = f.make_case(actor=operator, grid=district["grid11"], category=category)
    services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    base = live_server.url

    # A working day and a half late: 催办 to the bureau.
    late_by(case, 1.5)
    assert supervise()["issued"] == 1
    order = Order.objects.get()
    assert order.level == Level.URGING
    leader = sign_in(new_page(), base, "leader")
    leader.goto(f"{base}/supervision/")
    assert leader.locator(f'#orders tr[data-order="{order.pk}"][data-level="urging"]').count() == 1
    shot(leader, "supervision-01-urging-on-the-leaders-list")

    # Still late three working days on: 督办, and the case goes to discipline inspection.
    late_by(case, 3.5)
    supervise()
    order.refresh_from_db()
    assert order.level == Level.SUPERVISION
    copy = Copy.objects.get(case=case)
    inspector = sign_in(new_page(), base, "inspector")
    inspector.goto(f"{base}/supervision/inspection/")
    assert inspector.locator(f'#copies tr[data-case="{case.number}"]').count() == 1
    shot(inspector, "supervision-02-copied-to-the-inspector")

    # The unit responds on the case page.
    unit = sign_in(new_page(), base, "handler")
    unit.goto(f"{base}/cases/{case.number}/")
    form = unit.locator(f'tr[data-order="{order.pk}"] form.respond-form')
    form.locator("textarea[name=response]").fill("已派执法队员现场处置，三日内清理完毕")
    form.locator("input[name=done_by]").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    with unit.expect_navigation():
        form.locator("button[type=submit]").click()
    order.refresh_from_db()
    assert order.status == OrderStatus.RESPONDED
    assert unit.locator(f'tr[data-order="{order.pk}"][data-status="responded"]').count() == 1
    shot(unit, "supervision-03-the-unit-responded")

    # Signing off an open case is refused; nothing changes.
    inspector.goto(f"{base}/cases/{case.number}/")
    with inspector.expect_navigation():
        inspector.locator("#sign-off-form button[type=submit]").click()
    copy.refresh_from_db()
    assert copy.signed_off_at is None
    assert inspector.locator("#signed-off").count() == 0

    # The case is handled, verified, rated satisfied and closed.
    services.act(case, Action.ACKNOWLEDGE, actor=handler)
    services.act(case, Action.REPLY, actor=handler, reply="占道已清理完毕。")
    services.act(case, Action.VERIFY_PASS, actor=dispatcher, note="现场核查属实")
    services.act(case, Action.CALLBACK, actor=operator, rating="satisfied")
    services.act(case, Action.CLOSE, actor=operator)
    assert supervise()["closed"] == 1

    inspector.goto(f"{base}/cases/{case.number}/")
    inspector.locator("#sign-off-form input[name=note]").fill("群众满意，予以销号")
    with inspector.expect_navigation():
        inspector.locator("#sign-off-form button[type=submit]").click()
    copy.refresh_from_db()
    assert copy.signed_off_at is not None
    assert inspector.locator("#signed-off").count() == 1
    shot(inspector, "supervision-04-signed-off")
