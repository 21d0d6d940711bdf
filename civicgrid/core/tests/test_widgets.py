"""The Python widget renderer draws exactly what Django's templates draw."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from civicgrid.core.widgets import PythonRenderer, draw


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="hint")
    empty = forms.CharField(required=False)
    number = forms.IntegerField(min_value=1, max_value=9)
    hidden = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": '"<&>"'}))
    blank_note = forms.CharField(required=False, widget=forms.Textarea)
    agree = forms.BooleanField(required=False)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "hidden": True}))
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "A & B"), (3, mark_safe("<b>3</b>"))])
    grouped = forms.TypedChoiceField(
        coerce=int,
        choices=[("", "all"), ("城市管理", [(1, "01 市容"), (2, "\u30000101 路灯")]), (3, "x")],
    )
    several = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")])
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": 'x"<y>',
            "number": "4",
            "hidden": "h",
            "note": "line\n<b>",
            "agree": "on",
            "when": "2026-12-07",
            "search": "路灯",
            "plain": "a",
            "grouped": "2",
            "several": ["a", "c"],
            "radio": "b",
        },
    ],
)
def test_every_widget_is_drawn_as_the_templates_draw_it(data):
    by_templates = Everything(data, renderer=DjangoTemplates())
    in_python = Everything(data, renderer=PythonRenderer())
    for name in Everything.base_fields:
        assert str(in_python[name]) == str(by_templates[name]), name


def test_widgets_it_does_not_know_go_to_the_templates():
    assert draw("django/forms/widgets/radio.html", {}) is None
    assert draw("myapp/widget.html", {}) is None


def test_the_site_draws_its_forms_with_it(settings):
    assert settings.FORM_RENDERER == "civicgrid.core.widgets.PythonRenderer"
