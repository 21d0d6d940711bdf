"""The wiring fills the lower floors' extension points the way users knew the pages."""

from civicgrid.accounts.models import Role
from civicgrid.accounts.pages import PAGES, pages_for
from civicgrid.cases.extensions import Slot, panels
from civicgrid.cases.tests import factories as f


def test_the_menu_keeps_its_order():
    assert list(PAGES) == [
        "intake",
        "triage",
        "inbox",
        "grid",
        "tasks",
        "callbacks",
        "disputes",
        "risk_board",
        "mediation_registry",
        "mediator_home",
        "court_liaison",
        "screening",
        "screening_board",
        "mediation_statistics",
        "mediation_aftercare",
        "petitions",
        "petition_intake",
        "petitions_owned",
        "cases",
        "hot_issues",
        "supervision",
        "projects",
        "inspection",
        "rota",
        "assessment",
        "reverse_evaluation",
        "incidents",
        "plans",
        "warnings",
        "command_room",
        "warehouses",
        "map",
        "screen",
        "reports",
        "knowledge",
        "knowledge_stats",
        "field_day",
        "field_board",
        "field_tasks",
        "field_teams",
    ]


def test_a_dispatcher_sees_the_menu_of_a_dispatcher(district):
    dispatcher = f.make_user(Role.DISPATCHER, regions=[district["district"]])
    assert [p.url_name for p in pages_for(dispatcher)] == [
        "cases:intake",
        "triage:queue",
        "cases:tasks",
        "cases:callbacks",
        "petitions:list",
        "petitions:register",
        "cases:list",
        "duplicates:hot_issues",
        "supervision:orders",
        "supervision:projects",
        "centres:rota",
        "analytics:map",
        "knowledge:index",
        "fieldwork:board",
        "fieldwork:tasks",
        "fieldwork:teams",
    ]


def test_every_slot_has_the_panels_of_the_apps_above():
    assert [p.name for p in panels(Slot.CASE)] == [
        "summons",
        "centres",
        "incident",
        "supervision",
        "supporters",
        "petition",
        "dispute",
        "aftercare",
    ]
    assert [p.name for p in panels(Slot.INBOX)] == ["supervision", "summoned"]
    assert [p.name for p in panels(Slot.INTAKE_ANSWER)] == ["knowledge"]
    assert [p.name for p in panels(Slot.INTAKE_CHECKS)] == ["duplicates"]
