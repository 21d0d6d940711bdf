"""Likeness of two messages: one at a time and a few hundred at once agree."""

import pytest

from civicgrid.duplicates.text import likeness, message_text, shingles


def test_full_width_letters_and_case_do_not_matter():
    assert shingles("３号线ＡＢ站") == shingles("3号线ab站")


def test_punctuation_cuts_words_and_a_greeting_is_dropped():
    assert "门，" not in shingles("南门，路灯")
    assert "门路" not in shingles("南门，路灯")
    assert message_text("路灯", "尊敬的领导：您好！南门路灯坏了") == "路灯。南门路灯坏了"


def test_a_short_retelling_is_as_alike_as_its_words_allow():
    full = shingles("幸福小区南门外的路灯坏了三天，晚上一片漆黑")
    assert likeness(shingles("南门路灯坏了"), full) == pytest.approx(4 / (5 + 4))
    assert likeness(shingles(""), full) == 0.0
