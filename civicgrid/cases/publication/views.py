"""What one reader sees of one case: its reporter, or anyone else (a supporter, +1).

The reporter's tracking link shows their own words and address — they wrote them —
but never a staff note. Anyone else sees what every public door shows of a published
case, and of a case that is not published (or no longer: its category was made
private) only where it stands, nothing it says.
"""

from dataclasses import dataclass, field

from ..models import Case
from .events import PublicEvent, reply, timelines
from .rule import is_published
from .text import title


@dataclass
class CaseView:
    """The texts of one case as one reader may read them."""

    title: str = ""
    text: str = ""
    address: str = ""
    reply: str = ""
    events: list[PublicEvent] = field(default_factory=list)


def _other_names(case: Case) -> list[str]:
    # A merged case is closed with the reply written to the reporter of the case it
    # joined: that reporter's name is masked too.
    merged_into = case.merged_into if case.merged_into_id else None
    return [merged_into.reporter_name] if merged_into and merged_into.reporter_name else []


def view_of(case: Case, *, own: bool) -> CaseView:
    """``case`` as its reporter (``own``) or anyone else may read it."""
    names = _other_names(case)
    events = timelines([case], names)[case.pk]
    if own:
        return CaseView(case.title, case.content, case.address, reply(case, names), events)
    if not is_published(case):
        return CaseView(events=[_without_text(event) for event in events])
    return CaseView(title=title(case), reply=reply(case, names), events=events)


def _without_text(event: PublicEvent) -> PublicEvent:
    return PublicEvent(event.id, event.case_id, event.at, event.action, event.to_status)
