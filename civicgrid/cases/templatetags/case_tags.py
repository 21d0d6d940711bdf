from decimal import ROUND_FLOOR, Decimal

from django import template
from django.utils import dateformat, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.extensions import Slot, render_panels
from civicgrid.cases.models import Light, Status

register = template.Library()


@register.filter
def light_label(light: str) -> str:
    """The words for a traffic light (the dot alone is not enough for everyone)."""
    try:
        return str(Light(light).label)
    except ValueError:
        return light


# The labels of each field's choices, by value: Django's ``get_FOO_display`` makes this
# dictionary again on every call (a few hundred microseconds a row in a long list).
_choice_labels: dict = {}


@register.filter
def label_of(obj, name: str):
    """What ``obj.get_<name>_display()`` gives — the label of the field's value, else the
    value — from a dictionary made once per field."""
    field = obj._meta.get_field(name)
    labels = _choice_labels.get(field)
    if labels is None:
        labels = _choice_labels[field] = dict(field.flatchoices)
    value = getattr(obj, field.attname)
    return labels.get(value, value)


@register.filter
def count_label(value) -> str:
    """A count, with "+" when it stopped at its bound (``core.paging.Capped``)."""
    if value is None or value == "":
        return ""
    return f"{value}+" if getattr(value, "capped", False) else str(value)


@register.filter
def status_label(status: str) -> str:
    try:
        return str(Status(status).label)
    except ValueError:
        return status


@register.simple_tag
def light_dot(light: str, due_at=None) -> str:
    """A traffic light with its words, and the deadline when there is one. Built here,
    not from a template: a list shows one per row, and rendering a template for each was
    a quarter of a queue page's rendering."""
    label = light_label(light)
    due = ""
    if due_at:
        local = timezone.localtime(due_at)
        words = gettext("due %(due)s") % {"due": escape(dateformat.format(local, "m-d H:i"))}
        due = format_html(
            ' <time class="due" datetime="{}">{}</time>',
            dateformat.format(local, "c"),
            mark_safe(words),  # the translation, around the escaped time
        )
    return format_html(
        '<span class="light light-{}" title="{}"><span class="light-dot" aria-hidden="true">'
        '</span><span class="light-text">{}</span>{}</span>\n',
        light,
        label,
        label,
        due,
    )


@register.filter
def action_label(action: str) -> str:
    """An event's action in the reader's language (``lifecycle.Action`` labels)."""
    from civicgrid.cases.lifecycle import action_label as label

    return label(action)


@register.simple_tag(takes_context=True)
def reply_phrases(context, case=None) -> list:
    """The reply templates offered to the reader for ``case`` (``cases.phrases``); the
    templates are read once per request, however many forms the page shows."""
    from civicgrid.cases import phrases

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    templates = getattr(request, "_civicgrid_reply_templates", None)
    if templates is None:
        templates = phrases.available(request.user)
        request._civicgrid_reply_templates = templates
    if case is None:  # intake: no case yet
        return phrases.for_intake(request.user, templates)
    return phrases.for_case(case, request.user, templates)


@register.filter
def call_outcome(outcome: str) -> str:
    """What a call to the citizen gave (``callbacks.Outcome``), in the reader's language."""
    from civicgrid.cases.callbacks import Outcome

    try:
        return str(Outcome(outcome).label)
    except ValueError:
        return outcome


@register.filter
def percent(value, beside=None) -> str:
    """0.934 → 93%; cut, never rounded up, so a score below a threshold never shows as it.

    With ``beside`` (the number it is read against), decimals are added until the two
    read differently: 0.984 beside 0.985 → 98.4%, and 0.985 beside 0.984 → 98.5%.
    """
    try:
        number = Decimal(str(float(value)))
        other = None if beside in (None, "") else Decimal(str(float(beside)))
    except (TypeError, ValueError, ArithmeticError):
        return ""
    for places in range(3):
        shown = _cut(number, places)
        if other is None or other == number or shown != _cut(other, places):
            break
    return f"{shown}%"


def _cut(number: Decimal, places: int) -> Decimal:
    return (number * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR)


# Labels of the extra fields channels write on a case (a category's own extra fields
# carry their labels in ``Category.extra_fields``).
EXTRA_LABELS = {
    "110_incident": _("110 incident number"),
    "alert_source": _("alert source"),
    "evidence_url": _("evidence"),
    "alert_repeats": _("repeated alerts"),
    "media_url": _("photo link"),
}


@register.simple_tag
def extra_rows(case) -> list[tuple[str, str, bool]]:
    """(label, value, is a link) for each extra field of ``case``, in reading order."""
    labels = {
        spec.get("name"): spec.get("label") or spec.get("name")
        for spec in (case.category.extra_fields if case.category_id else None) or []
    }
    rows = []
    for key, value in (case.extra or {}).items():
        if value in (None, "", [], {}):
            continue
        label = labels.get(key) or EXTRA_LABELS.get(key) or key
        text = str(value)
        rows.append((str(label), text, text.startswith(("https://", "http://"))))
    return rows


@register.simple_tag(takes_context=True)
def panels(context, slot: str, subject=None):
    """``{% panels "case" case %}``: the panels upper apps put in ``slot``
    (``cases.extensions``)."""
    return mark_safe(render_panels(Slot(slot), context["request"], subject))
