"""What each app adds to the floors below it, in one place, as explicit as ``urls.py``.

The lower floors declare extension points (``cases.extensions``, ``cases.events``,
``accounts.pages``); nothing below this floor knows which apps fill them. A new app adds
its lines here and nowhere else outside its own folder.
"""


def connect() -> None:
    """Fill every extension point. Called once, from ``WiringConfig.ready``."""
    # Floors and page extension points (case panels, menu pages): i9/floors.
    # Event kinds, timeline labels and event consumers: i9/events.
    _events()
    # Visibility grants need no line here: an app that brings a department or a person
    # into a case writes a CaseAccess row (cases.access.grant_access), as the whistle does.


def _events() -> None:
    from civicgrid.alerts import events as alert_events
    from civicgrid.cases import events
    from civicgrid.duplicates import events as duplicate_events
    from civicgrid.gridwork import events as gridwork_events
    from civicgrid.notifications.services import notify_for_event

    events.declare(
        *gridwork_events.KINDS,
        *duplicate_events.KINDS,
        *alert_events.KINDS,
    )
    # notifications.RULES decide who hears of which event.
    events.add_consumer(notify_for_event)
