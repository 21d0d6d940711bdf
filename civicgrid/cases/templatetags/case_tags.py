from django import template

from civicgrid.cases.models import Light, Status

register = template.Library()


@register.filter
def light_label(light: str) -> str:
    """The words for a traffic light (the dot alone is not enough for everyone)."""
    try:
        return str(Light(light).label)
    except ValueError:
        return light


@register.filter
def status_label(status: str) -> str:
    try:
        return str(Status(status).label)
    except ValueError:
        return status


@register.inclusion_tag("cases/partials/_light.html")
def light_dot(light: str, due_at=None):
    return {"light": light, "due_at": due_at}


@register.filter
def action_label(action: str) -> str:
    """An event's action in the reader's language (``lifecycle.Action`` labels)."""
    from civicgrid.cases.queries import action_label as label

    return label(action)


@register.filter
def percent(value) -> str:
    """0.934 → 93%."""
    try:
        return f"{float(value):.0%}"
    except (TypeError, ValueError):
        return ""
