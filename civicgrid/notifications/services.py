"""Tell the people who must act. Runs after commit; never twice for one event.

``notify_for_event`` is a consumer of ``cases.events`` (the project wiring adds it): it
is handed every case event once the event's transaction has committed. It writes the
in-app notices and one ``Delivery`` row per outside channel and target; the
``send-notifications`` worker sends those. The unique constraints on both tables make a
second call for the same event a no-op.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from civicgrid.accounts.models import User
from civicgrid.cases import events

from .models import (
    Delivery,
    DeliveryChannel,
    DepartmentWebhook,
    Notification,
    NotificationPreference,
)
from .rules import RULES, reach  # noqa: F401  (RULES: the table other apps extend)


def action_label(action: str) -> str:
    """The translated name of an event action; the raw action when it is not known."""
    return events.label(action)


def recipients(event):
    """The active users who must act after ``event``, not counting its actor."""
    return _users(event, reach(event))


def _users(event, found):
    if found is None:
        return User.objects.none()
    users = User.objects.filter(found.users, is_active=True)
    if event.actor_id:
        users = users.exclude(pk=event.actor_id)
    return users.distinct()


def message_for(event) -> str:
    with override("zh-hans"):
        return _("%(number)s %(title)s: %(action)s") % {
            "number": event.case.number,
            "title": event.case.title[:60],
            "action": action_label(event.action),
        }


def _load(event):
    from civicgrid.cases.models import CaseEvent

    if isinstance(event, CaseEvent):
        return event
    return CaseEvent.objects.select_related("case", "case__owner_region").get(pk=event)


def notify_for_event(event) -> int:
    """Notices and deliveries for one event (or event id); safe to call twice.

    Returns how many people were told in the app.
    """
    event = _load(event)
    found = reach(event)
    if found is None:
        return 0
    users = list(
        _users(event, found)
        .select_related("notification_preference")
        .only(
            "email", "phone", "notification_preference__by_email", "notification_preference__by_sms"
        )
    )
    hooks = _webhooks(found.departments, event.action)
    if not users and not hooks:
        return 0
    now = timezone.now()
    message = message_for(event)
    notices = [
        Notification(recipient=u, case=event.case, event=event, message=message) for u in users
    ]
    deliveries = [d for u in users for d in _personal_deliveries(event, u, now)]
    deliveries += [
        Delivery(
            event=event,
            channel=DeliveryChannel.WEBHOOK,
            target=f"webhook:{hook.pk}",
            webhook=hook,
            next_attempt_at=now,
        )
        for hook in hooks
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(notices, ignore_conflicts=True)
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return len(users)


def _webhooks(department_ids: list[int], action: str) -> list[DepartmentWebhook]:
    if not department_ids:
        return []
    hooks = DepartmentWebhook.objects.filter(department_id__in=department_ids, active=True)
    return [hook for hook in hooks if hook.wants(action)]


def _personal_deliveries(event, user, now) -> list[Delivery]:
    wanted = []
    for channel in channels_of(user):
        wanted.append(
            Delivery(
                event=event,
                channel=channel,
                target=f"user:{user.pk}",
                recipient=user,
                next_attempt_at=now,
            )
        )
    return wanted


def preference_of(user) -> NotificationPreference:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def channels_of(user) -> list[str]:
    """The outside channels ``user`` gets notices on now (in-app is always on)."""
    preference = preference_of(user)
    channels = []
    if preference.by_email and user.email:
        channels.append(DeliveryChannel.EMAIL)
    if preference.by_sms and user.phone:
        channels.append(DeliveryChannel.SMS)
    return channels


def set_preferences(user, *, by_email: bool, by_sms: bool) -> NotificationPreference:
    """Save which outside channels ``user`` wants; a channel needs its address.

    Raises ``ValidationError`` naming the field (and changing nothing) when a channel
    is asked for without the address it needs.
    """
    errors = {}
    if by_email and not user.email:
        errors["by_email"] = _(
            "Your account has no e-mail address; ask an administrator to add one."
        )
    if by_sms and not user.phone:
        errors["by_sms"] = _("Your account has no phone number; ask an administrator to add one.")
    if errors:
        raise ValidationError(errors)
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"by_email": by_email, "by_sms": by_sms}
    )
    return preference


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
