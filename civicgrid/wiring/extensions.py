"""What each app adds to the floors below it, in one place, as explicit as ``urls.py``.

The lower floors declare extension points (``cases.extensions``, ``cases.events``,
``accounts.pages``); nothing below this floor knows which apps fill them. A new app adds
its lines here, its ``Module`` line in ``modules.py``, and nothing else outside its own
folder but its name in the floors contract (``pyproject.toml``).
"""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    """Fill every extension point. Called once, from ``WiringConfig.ready``."""
    # The menu, the panels of the case pages, the lower floors' hooks.
    _menu()
    _case_pages()
    _hooks()
    # Event kinds, the data keys the timeline shows, and the event consumers.
    _events()
    # Visibility grants need no line here: an app that brings a department or a person
    # into a case writes a CaseAccess row (cases.access.grant_access), as the whistle does.


def _events() -> None:
    from civicgrid.alerts import events as alert_events
    from civicgrid.cases import events
    from civicgrid.centres import events as centres_events
    from civicgrid.centres.services import open_parts
    from civicgrid.duplicates import events as duplicate_events
    from civicgrid.emergency import events as emergency_events
    from civicgrid.fieldwork import events as fieldwork_events
    from civicgrid.fieldwork.services import must_attend_on_event
    from civicgrid.gridwork import events as gridwork_events
    from civicgrid.knowledge import events as knowledge_events
    from civicgrid.mediation import events as mediation_events
    from civicgrid.notifications.services import notify_for_event
    from civicgrid.open311 import events as open311_events
    from civicgrid.petitions import events as petition_events
    from civicgrid.supervision import events as supervision_events
    from civicgrid.supervision.accountability import copy_on_event
    from civicgrid.triage import events as triage_events

    events.declare(
        *gridwork_events.KINDS,
        *supervision_events.KINDS,
        *duplicate_events.KINDS,
        *alert_events.KINDS,
        *mediation_events.KINDS,
        *petition_events.KINDS,
        *centres_events.KINDS,
        *emergency_events.KINDS,
        *fieldwork_events.KINDS,
    )
    # What upper apps write into the data of cases' own kinds, for the timeline.
    events.declare_data({**triage_events.DATA, **knowledge_events.DATA, **open311_events.DATA})
    # notifications.RULES decide who hears of which event.
    events.add_consumer(notify_for_event)
    # The copy rules of discipline inspection fire on dispatches, reopenings, overruled returns.
    events.add_consumer(copy_on_event)
    # A dispatch gives each co-handling unit its own part and deadline (协办).
    events.add_consumer(open_parts)
    # A case of a must-attend category (五必到) gives its grid worker an on-site task.
    events.add_consumer(must_attend_on_event)
    # A direct answer citing a knowledge-base entry counts as one of its uses.
    events.add_consumer(knowledge_events.count_use)
    # The red/black list of the assessment reads the accountability record of supervision.
    from civicgrid.assessment.extensions import register_accountability
    from civicgrid.supervision.accountability import records_by_unit

    register_accountability(records_by_unit)


def _menu() -> None:
    """The menu, in the order users see it; ``HOME`` in ``accounts.pages`` names these keys."""
    from civicgrid.accounts.models import Role
    from civicgrid.accounts.pages import EVERYONE, Page, register_menu_group, register_page

    desk = (Role.OPERATOR, Role.DISPATCHER, Role.LEADER)
    register_page(
        "intake",
        Page(
            "cases:intake",
            _("Intake"),
            (Role.OPERATOR, Role.DISPATCHER, Role.GRID_WORKER, Role.MEDIATOR),
        ),
    )
    register_page("triage", Page("triage:queue", _("Triage"), desk))
    register_page("inbox", Page("cases:inbox", _("Inbox"), (Role.HANDLER,)))
    register_page("grid", Page("gridwork:home", _("My grids"), (Role.GRID_WORKER,)))
    register_page("tasks", Page("cases:tasks", _("My tasks"), (Role.GRID_WORKER, Role.DISPATCHER)))
    register_page("callbacks", Page("cases:callbacks", _("Callbacks"), desk))
    mediation = (Role.MEDIATOR, Role.LEADER)
    register_page("disputes", Page("mediation:list", _("My disputes"), mediation))
    register_page("risk_board", Page("mediation:risk_board", _("Risk board"), (Role.LEADER,)))
    register_page(
        "mediation_registry",
        Page("mediation:registry", _("Mediation rooms and mediators"), mediation),
    )
    register_page("mediator_home", Page("mediation:home", _("My day"), (Role.MEDIATOR,)))
    register_page(
        "court_liaison",
        Page("mediation:court_liaison", _("Court liaison"), (*mediation, Role.COURT_LIAISON)),
    )
    register_page(
        "screening", Page("mediation:screening", _("Dispute screening"), (Role.GRID_WORKER,))
    )
    register_page(
        "screening_board", Page("mediation:screening_board", _("Screening board"), (Role.LEADER,))
    )
    register_page(
        "mediation_statistics",
        Page("mediation:statistics", _("Mediation statistics"), (Role.LEADER,)),
    )
    register_page(
        "mediation_aftercare", Page("mediation:aftercare", _("After the agreement"), mediation)
    )
    # The petition window (信访): the centre's operators, dispatchers and mediators
    # register and decide; leaders too, and they own petitions (包案).
    petition_window = (Role.OPERATOR, Role.DISPATCHER, Role.MEDIATOR)
    register_page(
        "petitions", Page("petitions:list", _("Petitions"), (*petition_window, Role.LEADER))
    )
    register_page(
        "petition_intake", Page("petitions:register", _("Register a petition"), petition_window)
    )
    # The mediation centre's window: a dispute that is also a petition, in one form
    # (civicgrid/wiring/window.py composes the two apps).
    register_page(
        "mediation_window",
        Page("window", _("Dispute and petition"), (Role.MEDIATOR, Role.DISPATCHER)),
    )
    register_page(
        "petitions_owned", Page("petitions:owned", _("My petitions (包案)"), (Role.LEADER,))
    )
    register_page("cases", Page("cases:list", _("Cases"), EVERYONE))
    register_page("hot_issues", Page("duplicates:hot_issues", _("Hot issues"), desk))
    register_page(
        "supervision", Page("supervision:orders", _("Supervision"), (Role.DISPATCHER, Role.LEADER))
    )
    register_page(
        "projects",
        Page("supervision:projects", _("Problems of the month"), (Role.DISPATCHER, Role.LEADER)),
    )
    register_page(
        "inspection", Page("supervision:inspection", _("Discipline inspection"), (Role.INSPECTOR,))
    )
    register_page(
        "rota",
        Page("centres:rota", _("Stationed units"), (Role.DISPATCHER, Role.LEADER)),
    )
    register_page(
        "assessment",
        Page("assessment:ranking", _("Assessment"), (Role.ASSESSOR, Role.LEADER)),
    )
    register_page(
        "reverse_evaluation",
        Page(
            "assessment:reverse",
            _("Reverse evaluation"),
            (Role.GRID_WORKER, Role.LEADER, Role.ASSESSOR),
        ),
    )
    command = (Role.COMMANDER, Role.LEADER)
    register_page(
        "incidents", Page("emergency:incidents", _("Incidents"), (*command, Role.HANDLER))
    )
    register_page("plans", Page("emergency:plans", _("Emergency plans"), command))
    register_page("warnings", Page("emergency:warnings", _("Warnings"), (*command, Role.HANDLER)))
    register_page("command_room", Page("emergency:room", _("Command room map"), command))
    register_page(
        "warehouses", Page("emergency:warehouses", _("Warehouses"), (*command, Role.HANDLER))
    )
    register_page("map", Page("analytics:map", _("City map"), EVERYONE))
    register_page("screen", Page("analytics:screen", _("One screen"), (Role.LEADER,)))
    register_page("reports", Page("analytics:report", _("Reports"), (Role.LEADER,)))
    register_page("knowledge", Page("knowledge:index", _("Knowledge base"), EVERYONE))
    register_page(
        "knowledge_stats", Page("knowledge:stats", _("Knowledge statistics"), (Role.LEADER,))
    )
    # Field work (fieldwork): the grid worker's day, visits, centre tasks, teams.
    register_page("field_day", Page("fieldwork:day", _("My day"), (Role.GRID_WORKER,)))
    field = (Role.GRID_WORKER, Role.LEADER, Role.DISPATCHER)
    register_page("field_board", Page("fieldwork:board", _("Visits board"), field))
    register_page("field_tasks", Page("fieldwork:tasks", _("Grid tasks"), field))
    register_page("field_teams", Page("fieldwork:teams", _("Grid teams and households"), field))
    register_page(
        "field_workers",
        Page("fieldwork:workers", _("Grid worker files"), (Role.LEADER, Role.DISPATCHER)),
    )
    # Each centre's pages fold under one entry; the daily work pages stay on the bar.
    register_menu_group(_("Mediation centre"), ("mediation", "petitions", "window"))
    register_menu_group(_("Supervision and assessment"), ("supervision", "assessment"))
    register_menu_group(_("Emergency command"), ("emergency",))
    register_menu_group(
        _("Grids and centres"), ("fieldwork", "centres"), except_pages=("field_day",)
    )
    register_menu_group(
        _("Analysis"), ("analytics", "knowledge"), except_pages=("map", "knowledge")
    )


def _case_pages() -> None:
    """Panels on the case pages, the dispatch form's category guesses, answer sources."""
    from civicgrid.cases.extensions import (
        Panel,
        Slot,
        register_answer_source,
        register_category_guesses,
        register_panel,
    )
    from civicgrid.centres import panels as centres
    from civicgrid.duplicates import panels as duplicates
    from civicgrid.emergency import panels as emergency
    from civicgrid.gridwork import panels as gridwork
    from civicgrid.knowledge import panels as knowledge
    from civicgrid.knowledge.services import usable_entry
    from civicgrid.mediation import panels as mediation
    from civicgrid.mediation.models import Dispute
    from civicgrid.petitions import panels as petitions
    from civicgrid.petitions.extensions import register_dispute_lookup
    from civicgrid.supervision import panels as supervision
    from civicgrid.triage.views import stored_guesses

    register_panel(
        Slot.CASE, Panel("summons", "gridwork/_summons_panel.html", gridwork.summons_panel, 10)
    )
    register_panel(
        Slot.CASE,
        Panel("supporters", "duplicates/partials/_supporters.html", duplicates.supporters_card, 20),
    )
    register_panel(
        Slot.CASE, Panel("supervision", "supervision/_case_panel.html", supervision.case_panel, 15)
    )
    register_panel(Slot.CASE, Panel("centres", "centres/_case_panel.html", centres.case_panel, 12))
    register_panel(
        Slot.INBOX,
        Panel("supervision", "supervision/_inbox_panel.html", supervision.inbox_panel, 5),
    )
    register_panel(
        Slot.CASE, Panel("dispute", "mediation/_dispute_panel.html", mediation.dispute_panel, 30)
    )
    register_panel(
        Slot.CASE, Panel("petition", "petitions/_petition_panel.html", petitions.petition_panel, 28)
    )
    # 访调对接: the petition panel links to the dispute of the same case, if there is one.
    register_dispute_lookup(lambda case: Dispute.objects.filter(case=case).exists())
    register_panel(
        Slot.CASE,
        Panel("aftercare", "mediation/_aftercare_panel.html", mediation.aftercare_panel, 31),
    )
    register_panel(
        Slot.CASE, Panel("incident", "emergency/_case_panel.html", emergency.case_panel, 12)
    )
    register_panel(
        Slot.INBOX, Panel("summoned", "gridwork/_summoned_here.html", gridwork.summoned_here, 10)
    )
    register_panel(
        Slot.INTAKE_ANSWER,
        Panel("knowledge", "knowledge/partials/_intake_panel.html", knowledge.intake_panel, 10),
    )
    register_panel(
        Slot.ANSWER_DIRECTLY,
        Panel("knowledge", "knowledge/partials/_answer_panel.html", knowledge.answer_panel, 10),
    )
    register_panel(
        Slot.INTAKE_CHECKS,
        Panel("duplicates", "duplicates/partials/_intake_card.html", duplicates.intake_card, 10),
    )
    register_category_guesses(stored_guesses)
    register_answer_source("knowledge_entry", lambda entry_id: usable_entry(entry_id).pk)


def _hooks() -> None:
    """The lower floors' "after …" hooks and the reference data's model thresholds."""
    from civicgrid.cases.services import recompute_deadlines
    from civicgrid.core.calendar import register_after_change
    from civicgrid.duplicates.neighbours import build_grid_neighbours
    from civicgrid.regions.services import register_after_grids_change
    from civicgrid.routing.extensions import register_model_thresholds
    from civicgrid.triage.services import suggested_thresholds

    # A changed holiday calendar moves the deadlines of open cases.
    register_after_change(recompute_deadlines)
    # Which grids border which changes with the grids (duplicate search reads it).
    register_after_grids_change(build_grid_neighbours)
    register_model_thresholds(suggested_thresholds)
    # A hot issue's cases can be exported to Excel like every case list.
    from civicgrid.cases.exports import register_source
    from civicgrid.duplicates.exports import HOT_ISSUE_CASES

    register_source("hot_issue", HOT_ISSUE_CASES)
