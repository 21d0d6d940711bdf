"""Tell the people who must act. Runs after commit; never twice for one event."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from civicgrid.accounts.models import Role, User

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


def recipients(event):
    """The users who must act after ``event``."""
    case, action = event.case, event.action
    main = [case.main_department_id]
    query = {
        "register": _in_region(case, [Role.DISPATCHER]),
        "dispatch": _department(main + list(case.co_departments.values_list("pk", flat=True))),
        "reopen": _department(main),
        "urge": _department(main) | _in_region(case, [Role.DISPATCHER]),
        "mark_overdue": _department(main) | _in_region(case, [Role.DISPATCHER]),
        "return": _in_region(case, [Role.DISPATCHER]),
        "escalate": _in_region(case, [Role.DISPATCHER, Role.LEADER]),
        "request_extension": _in_region(case, [Role.DISPATCHER, Role.LEADER]),
        "approve_extension": _department(main),
        "refuse_extension": _department(main),
        "reply": Q(role=Role.GRID_WORKER) & _in_region(case, [Role.GRID_WORKER]),
        "verify_fail": _department(main),
        "verify_pass": _in_region(case, [Role.OPERATOR]),
    }.get(action)
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


def notify_for_event(event_id: int) -> int:
    """Create the in-app notifications for one event; safe to call twice."""
    from civicgrid.cases.models import CaseEvent

    event = CaseEvent.objects.select_related("case", "case__owner_region").get(pk=event_id)
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
