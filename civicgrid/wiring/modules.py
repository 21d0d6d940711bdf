"""The apps above ``cases``, one line each: the only place a new module is named.

``settings.py`` installs them (after the floors below and before ``civicgrid.wiring``),
``urls.py`` mounts their pages and ``api.py`` their API routers, all in this order. What
a module adds to the pages of others (menu, panels, event kinds…) is in ``extensions.py``
beside this file. Plain data: ``settings.py`` reads it before Django is set up.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    """An app above ``cases``.

    ``urls``: the URL prefix of its pages (``<app>.urls``), None when it has none.
    ``api``: (prefix, router) pairs of its API, each router an attribute of ``<app>.api``.
    """

    app: str
    urls: str | None = None
    api: tuple[tuple[str, str], ...] = ()


MODULES: tuple[Module, ...] = (
    # features
    Module("civicgrid.notifications", urls="notifications/"),
    Module("civicgrid.triage", urls="triage/", api=(("/cases", "router"),)),
    Module("civicgrid.gridwork", urls="grid/"),
    Module("civicgrid.supervision", urls="supervision/", api=(("/supervision", "router"),)),
    Module("civicgrid.mediation", urls="mediation/", api=(("/mediation", "router"),)),
    Module("civicgrid.petitions", urls="petitions/", api=(("/petitions", "router"),)),
    Module("civicgrid.centres", urls="centres/", api=(("/centres", "router"),)),
    Module("civicgrid.assessment", urls="assessment/", api=(("/assessment", "router"),)),
    Module("civicgrid.emergency", urls="emergency/", api=(("/emergency", "router"),)),
    Module("civicgrid.fieldwork", urls="field/", api=(("/fieldwork", "router"),)),
    # ways in
    Module("civicgrid.diversion", api=(("/diversion", "router"),)),
    Module("civicgrid.open311", urls="open311/v2/"),
    Module("civicgrid.alerts", urls="alerts/"),
    # features
    Module("civicgrid.knowledge", urls="knowledge/", api=(("/knowledge", "router"),)),
    Module(
        "civicgrid.duplicates",
        urls="",
        api=(("/cases", "supporters_router"), ("/duplicates", "router")),
    ),
    # ways in: the citizens' public pages, /report/, /track/<token>/, /results/ (no login)
    Module("civicgrid.citizens", urls=""),
    # read-only
    Module("civicgrid.analytics", urls="map/", api=(("/analytics", "router"),)),
)
