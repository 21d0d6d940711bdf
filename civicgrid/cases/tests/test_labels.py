"""An action has one label (``lifecycle.action_label``); the public's words derive from it."""

import re
from pathlib import Path

from django.utils import translation

from civicgrid.cases import publication
from civicgrid.cases.lifecycle import Action, action_label
from civicgrid.cases.publication.events import PLAIN_EVENTS

PACKAGE = Path(__file__).resolve().parents[2]


def test_every_action_reads_as_its_label_and_an_unknown_one_as_itself():
    with translation.override("zh-hans"):
        for action in Action:
            assert action_label(action) == str(action.label)
        assert action_label(Action.DISPATCH) != "dispatch"
    assert action_label("not_an_action") == "not_an_action"


def test_the_public_reads_plain_words_and_otherwise_the_same_label_as_staff():
    unplain = [action for action in Action if action not in PLAIN_EVENTS]
    assert unplain
    for action in unplain:
        assert publication.public_label(action) == action_label(action)
    assert publication.public_label(Action.REGISTER) == str(PLAIN_EVENTS[Action.REGISTER])


def test_no_module_labels_actions_on_its_own():
    own = re.compile(r"Action\([^)]*\)\.label")
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts and own.search(path.read_text(encoding="utf-8"))
    ]
    # The label lives with the kind (``cases.events``); ``action_label`` reads it there.
    assert offenders == []


def test_a_note_of_an_upper_app_reads_as_its_declared_label_for_staff_and_public():
    with translation.override("en"):
        assert action_label("join") == "joined as supporter"
        assert publication.public_label("join") == "Another resident has the same problem (+1)"
