"""Hand-made case histories: events written at chosen moments, as the rollup reads them."""

from datetime import datetime, timedelta

from django.utils import timezone

from civicgrid.cases import deadlines
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.routing.models import Step

_numbers = iter(range(1, 10**6))


def moment(text: str) -> datetime:
    """A local time, "2026-11-02 09:00"."""
    return timezone.make_aware(datetime.fromisoformat(text))


def history(*, category, grid=None, department=None, channel="hotline", urgency="normal", steps=()):
    """A case and its events: ``steps`` are (at, action, data, actor) tuples, in order.

    The case row is left as the last move would leave it only as far as the rollup
    cares (department, category, grid); the statuses are not maintained.
    """
    start = steps[0][0] if steps else timezone.now()
    case = Case.objects.create(
        number=f"T{next(_numbers):07d}",
        channel=channel,
        urgency=urgency,
        title="测试",
        content="测试",
        category=category,
        grid=grid,
        region_path=grid.path if grid is not None else "",
        main_department=department,
        created_at=start,
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, at=at, action=action, data=data or {}, actor=actor)
        for at, action, data, actor in steps
    )
    return case


def due(category, step: str, start: datetime, urgency: str = "normal") -> datetime:
    return deadlines.step_window(category, urgency, step, start)[1]


def full_loop(
    category,
    grid,
    department,
    start: datetime,
    *,
    rating="satisfied",
    actor=None,
    late_ack=False,
    late_reply=False,
):
    """Register → dispatch → acknowledge → reply → verify → callback → close."""
    ack_due = due(category, Step.ACKNOWLEDGE, start)
    ack = ack_due + timedelta(minutes=1) if late_ack else ack_due - timedelta(minutes=1)
    handle_due = due(category, Step.HANDLE, start)
    reply = handle_due + timedelta(hours=1) if late_reply else ack + timedelta(minutes=5)
    steps = [
        (start - timedelta(minutes=5), "register", {}, actor),
        (start, "dispatch", {"department_id": department.pk}, actor),
        (ack, "acknowledge", {}, actor),
        (reply, "reply", {"reply": "好了"}, actor),
        (reply + timedelta(minutes=1), "verify_pass", {}, actor),
        (reply + timedelta(minutes=2), "callback", {"rating": rating}, actor),
    ]
    if rating != "unsatisfied":
        steps.append((reply + timedelta(minutes=3), "close", {}, actor))
    return history(category=category, grid=grid, department=department, steps=steps)
