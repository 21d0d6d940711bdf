"""Tell the people who must act. Runs after commit; never twice for one event."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from civicgrid.accounts.models import Role, User
from civicgrid.routing.models import Urgency

from .models import Notification


def _in_region(case, roles) -> Q:
    paths = [
        p for p in (case.region_path, case.owner_region.path if case.owner_region_id else "") if p
    ]
    query = Q(pk__in=[])
    for path in paths:
        # A user's region covers the case when the case's path starts with it.
        prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
        query |= Q(regions__path__in=prefixes)
    return Q(role__in=roles) & query


def _department(department_ids) -> Q:
    return Q(role=Role.HANDLER, department_id__in=[d for d in department_ids if d])


def _main_and_co(case) -> list:
    return [case.main_department_id, *case.co_departments.values_list("pk", flat=True)]


def _main(case) -> list:
    return [case.main_department_id]


# Who must act after each action. Functions, so that only the rule of the action at hand
# is built (the dispatch rule costs a query).
RULES = {
    # New cases wait in the triage queue, which is the dispatchers' notice; only an
    # urgent one interrupts them.
    "register": lambda case: (
        _in_region(case, [Role.DISPATCHER]) if case.urgency == Urgency.URGENT else None
    ),
    "dispatch": lambda case: _department(_main_and_co(case)),
    "reopen": lambda case: _department(_main(case)),
    "urge": lambda case: _department(_main(case)) | _in_region(case, [Role.DISPATCHER]),
    "mark_overdue": lambda case: _department(_main(case)) | _in_region(case, [Role.DISPATCHER]),
    "return": lambda case: _in_region(case, [Role.DISPATCHER]),
    "escalate": lambda case: _in_region(case, [Role.DISPATCHER, Role.LEADER]),
    "request_extension": lambda case: _in_region(case, [Role.DISPATCHER, Role.LEADER]),
    "approve_extension": lambda case: _department(_main(case)),
    "refuse_extension": lambda case: _department(_main(case)),
    "reply": lambda case: Q(role=Role.GRID_WORKER) & _in_region(case, [Role.GRID_WORKER]),
    "verify_fail": lambda case: _department(_main(case)),
    "verify_pass": lambda case: _in_region(case, [Role.OPERATOR]),
}


def recipients(event):
    """The users who must act after ``event``."""
    rule = RULES.get(event.action)
    query = rule(event.case) if rule else None
    if query is None:
        return User.objects.none()
    users = User.objects.filter(query, is_active=True)
    if event.actor_id:
        users = users.exclude(pk=event.actor_id)
    return users.distinct()


def message_for(event) -> str:
    from civicgrid.cases.lifecycle import Action

    with override("zh-hans"):
        return _("%(number)s %(title)s: %(action)s") % {
            "number": event.case.number,
            "title": event.case.title[:60],
            "action": Action(event.action).label,
        }


def notify_for_event(event) -> int:
    """Create the in-app notifications for one event (or event id); safe to call twice."""
    from civicgrid.cases.models import CaseEvent

    if not isinstance(event, CaseEvent):
        event = CaseEvent.objects.select_related("case", "case__owner_region").get(pk=event)
    users = list(recipients(event))
    if not users:
        return 0
    message = message_for(event)
    rows = [Notification(recipient=u, case=event.case, event=event, message=message) for u in users]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def mark_read(user, notification_id: int) -> int:
    """Mark one of ``user``'s notices read; a read receipt, so no case event."""
    return Notification.objects.filter(
        pk=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
