"""Duplicate search on the triage model's shipped messages (two apps on one floor, so
these tests live above both)."""

import random

import pytest

from civicgrid.demo import duplicates_evaluation as evaluation
from civicgrid.duplicates.candidates import find_candidates
from civicgrid.duplicates.neighbours import build_grid_neighbours
from civicgrid.duplicates.tests.test_candidates import case, numbers
from civicgrid.duplicates.text import likeness, likeness_to_many, message_text, shingles
from civicgrid.triage import dataset


@pytest.fixture
def neighbours(district, other_district):
    """Which grids touch, for the test districts."""
    build_grid_neighbours()
    return district


@pytest.mark.parametrize("query", ["𠮷野家的牛肉饭😀好吃", "Ａ2区丽发新城搅拌站", "", "，。！"])
def test_many_at_once_gives_what_one_at_a_time_gives(query):
    others = [message_text(m.title, m.detail) for m in dataset.load("test")[:200]]
    others += ["𠮷野家牛肉饭😀很好吃", "", "a", "A2区丽发新城附近修建搅拌厂"]
    one_by_one = [likeness(shingles(query), shingles(o)) for o in others]
    assert likeness_to_many(query, others).tolist() == pytest.approx(one_by_one)


def test_rewritten_held_out_messages_are_found_among_others_of_their_category(neighbours, operator):
    """The bench in small: held-out messages retold, each among others of its label."""
    rng = random.Random(7)
    held_out = [m for m in dataset.load("test") if m.label == "城乡建设" and len(m.detail) > 80]
    chosen = rng.sample(held_out, 12)
    stored = [case(operator, neighbours["grid11"], (m.title, m.detail)) for m in chosen]
    found_first, wrongly_flagged = 0, 0
    for message, original in zip(chosen[:8], stored, strict=False):
        retold = evaluation.rewrite(evaluation.Message(message.title, message.detail, ""), rng)
        found = find_candidates(retold.title, retold.content, neighbours["grid11"], limit=12)
        found_first += numbers(found)[0] == original.number and found.items[0].likely
        wrongly_flagged += sum(c.likely for c in found.items if c.case.pk != original.pk)
    assert found_first >= 6
    assert wrongly_flagged == 0
