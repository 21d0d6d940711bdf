"""Form widgets drawn in Python: the same HTML as Django's templates, without them.

Each widget Django draws is a template render (plus one per ``<option>``): ~0.3 ms each.
A page of 50 cases with their action forms draws ~200 widgets, and a category list
has 655 options, so pages spent most of their time here. ``PythonRenderer`` draws the
plain inputs, text areas and selects itself, with Django's own markup byte for byte
(``core/tests/test_widgets.py`` compares them); any other template — a widget of
our own, radio buttons — goes to the templates as before.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
# The widget templates that only include input.html (Django 5.2).
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
        "checkbox", "file", "search", "tel", "color",
    )
)  # fmt: skip
OPTION = f"{WIDGETS}select_option.html"


def _e(value) -> str:
    return conditional_escape(value)


def _attrs(attrs: dict) -> str:
    # attrs.html: False leaves the attribute out, True writes its name alone.
    return "".join(
        f" {_e(name)}" if value is True else f' {_e(name)}="{_e(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(w: dict) -> str:
    value = "" if w["value"] is None else f' value="{_e(str(w["value"]))}"'
    return f'<input type="{_e(w["type"])}" name="{_e(w["name"])}"{value}{_attrs(w["attrs"])}>\n'


def _textarea(w: dict) -> str:
    value = _e(w["value"]) if w["value"] else ""
    return f'<textarea name="{_e(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>\n'


def _option(o: dict) -> str:
    return f'<option value="{_e(str(o["value"]))}"{_attrs(o["attrs"])}>{_e(o["label"])}</option>\n'


def _select(w: dict) -> str | None:
    parts = [f'<select name="{_e(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, options, _index in w["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_e(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None  # options of their own: the templates draw them
            parts.append(f"\n  {_option(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def draw(template_name: str, widget: dict) -> str | None:
    """The HTML of Django's template ``template_name`` for ``widget``, or None."""
    if template_name in INPUTS:
        return _input(widget)
    if template_name == f"{WIDGETS}textarea.html":
        return _textarea(widget)
    if template_name == f"{WIDGETS}select.html":
        return _select(widget)
    return None


class PythonRenderer(DjangoTemplates):
    """Django's default form renderer, drawing the common widgets in Python."""

    def render(self, template_name, context, request=None) -> str:
        widget = context.get("widget")
        html = draw(template_name, widget) if isinstance(widget, dict) else None
        if html is None:
            return super().render(template_name, context, request)
        # Like BaseRenderer.render, which strips what the template leaves around.
        return mark_safe(html.strip())  # every value above went through conditional_escape
