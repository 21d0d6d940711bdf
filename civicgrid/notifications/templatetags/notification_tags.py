from django import template

from civicgrid.notifications.services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/partials/_badge.html", takes_context=True)
def unread_badge(context):
    """The header's unread count, rendered with the page so it works without JavaScript."""
    user = context["request"].user
    # The notification list counts them already: no second query for the same number.
    known = context.get("notifications_unread")
    if known is None:
        known = unread_count(user) if user.is_authenticated else 0
    return {"unread": known}
