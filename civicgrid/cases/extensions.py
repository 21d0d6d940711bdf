"""What upper apps may add to the case pages and rules, declared here, filled elsewhere.

``cases`` does not know which apps sit above it. Each point below is a small registry
with an explicit ``register_…`` function; ``civicgrid/wiring/extensions.py`` calls them,
once, at start-up (docs/architecture.md lists who fills what). No signals, no discovery:
what is not registered there does not exist.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.translation import gettext as _


class Slot(StrEnum):
    """The places on the case pages where panels appear."""

    CASE = "case"  # the case page, below the actions
    INBOX = "inbox"  # above a department's inbox queue
    INTAKE_ANSWER = "intake_answer"  # intake, first in the right column
    INTAKE_CHECKS = "intake_checks"  # intake, after "Where"
    # The "answer directly" action, in place of its answer fields (the subject is its form).
    ANSWER_DIRECTLY = "answer_directly"


# The context of a panel: ``None`` hides it for this request.
PanelContext = Callable[[HttpRequest, Any], dict | None]


@dataclass(frozen=True)
class Panel:
    """A template an upper app shows in a slot; ``subject`` is the case (or the intake
    form, or ``None`` on the inbox). Panels of a slot show by ``order``, then name."""

    name: str
    template: str
    context: PanelContext
    order: int = 100


_panels: dict[Slot, list[Panel]] = {}


def register_panel(slot: Slot, panel: Panel) -> None:
    panels = [p for p in _panels.get(slot, []) if p.name != panel.name]
    _panels[slot] = sorted([*panels, panel], key=lambda p: (p.order, p.name))


def panels(slot: Slot) -> list[Panel]:
    return list(_panels.get(slot, []))


def render_panels(slot: Slot, request: HttpRequest, subject: Any) -> str:
    """The HTML of every panel of ``slot`` that has something to show."""
    html = []
    for panel in panels(slot):
        context = panel.context(request, subject)
        if context is not None:
            html.append(get_template(panel.template).render(context, request))
    return "".join(html)


# --- category guesses: a model's top suggestions for a case (dispatch form) ------------

# ``[{"code", "name", "category" (pk), "p"}, …]``, most likely first; empty when unknown.
CategoryGuesses = Callable[[Any], list[dict]]
_category_guesses: list[CategoryGuesses] = []


def register_category_guesses(guesses: CategoryGuesses) -> None:
    _category_guesses[:] = [guesses]


def category_guesses(case) -> list[dict]:
    return _category_guesses[0](case) if _category_guesses else []


# --- answer sources: what a direct answer may cite (answer_directly) -------------------

# Takes the id the caller sent; returns the pk to keep, or raises ``InvalidAction``.
AnswerSource = Callable[[Any], int]
_answer_sources: dict[str, AnswerSource] = {}


def register_answer_source(field: str, check: AnswerSource) -> None:
    """``field`` is the action input that names the source, e.g. ``knowledge_entry``."""
    _answer_sources[field] = check


def answer_source(field: str, value) -> int | None:
    """The checked pk of the source ``value`` names, ``None`` when none was named."""
    from .lifecycle import InvalidAction

    if value in (None, ""):
        return None
    check = _answer_sources.get(field)
    if check is None:
        raise InvalidAction(_("Nothing can be cited here."), field)
    return check(value)
