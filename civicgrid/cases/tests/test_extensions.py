"""What upper apps plug into the case pages: panels in order, hidden when they have
nothing to show; a direct answer cites only what a registered source accepts."""

import pytest
from django.test import RequestFactory

from civicgrid.cases import extensions
from civicgrid.cases.extensions import Panel, Slot
from civicgrid.cases.lifecycle import InvalidAction


@pytest.fixture
def empty_points(monkeypatch):
    """The registries as if no app above had filled them."""
    monkeypatch.setattr(extensions, "_panels", {})
    monkeypatch.setattr(extensions, "_answer_sources", {})


@pytest.fixture
def request_(db, operator):
    request = RequestFactory().get("/")
    request.user = operator
    return request


def test_panels_show_in_their_order_and_hide_when_they_have_nothing(
    empty_points, request_, settings, tmp_path
):
    (tmp_path / "panel.html").write_text("[{{ word }}]")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    extensions.register_panel(Slot.CASE, Panel("late", "panel.html", lambda r, c: {"word": c}, 20))
    extensions.register_panel(Slot.CASE, Panel("early", "panel.html", lambda r, c: {"word": 1}, 10))
    extensions.register_panel(Slot.CASE, Panel("hidden", "panel.html", lambda r, c: None, 5))
    assert extensions.render_panels(Slot.CASE, request_, "case") == "[1][case]"
    assert extensions.render_panels(Slot.INBOX, request_, None) == ""


def test_registering_a_panel_again_replaces_it(empty_points):
    extensions.register_panel(Slot.CASE, Panel("notes", "a.html", lambda r, c: {}, 10))
    extensions.register_panel(Slot.CASE, Panel("notes", "b.html", lambda r, c: {}, 10))
    assert [p.template for p in extensions.panels(Slot.CASE)] == ["b.html"]


def test_an_answer_cites_nothing_without_a_source_that_accepts_it(empty_points):
    assert extensions.answer_source("knowledge_entry", "") is None
    with pytest.raises(InvalidAction):
        extensions.answer_source("knowledge_entry", 7)
    extensions.register_answer_source("knowledge_entry", lambda value: int(value) * 10)
    assert extensions.answer_source("knowledge_entry", "7") == 70
