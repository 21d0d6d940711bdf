"""The wiring fills the lower floors' extension points the way users knew the pages."""

from civicgrid.accounts.models import Role
from civicgrid.accounts.pages import PAGES, MenuGroup, menu_entries, pages_for
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
        "mediation_window",
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
        "field_workers",
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
        "window",
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
        "fieldwork:workers",
    ]


def test_a_leaders_menu_folds_each_centre_under_one_entry(district, client):
    leader = f.make_user(Role.LEADER, regions=[district["district"]])
    menu = menu_entries(leader)
    groups = {str(entry.label): entry for entry in menu if isinstance(entry, MenuGroup)}
    assert list(groups) == [
        "Mediation centre",
        "Supervision and assessment",
        "Grids and centres",
        "Emergency command",
        "Analysis",
    ]
    assert "mediation:risk_board" in [p.url_name for p in groups["Mediation centre"].pages]
    # Nothing is lost by folding: the same pages, no more than 15 entries on the bar.
    folded = [p for e in menu for p in (e.pages if isinstance(e, MenuGroup) else (e,))]
    assert sorted(p.url_name for p in folded) == sorted(p.url_name for p in pages_for(leader))
    assert len(menu) <= 15 < len(folded)
    # The daily pages stay on the bar.
    assert {"cases:list", "analytics:map", "knowledge:index"} <= {
        e.url_name for e in menu if not isinstance(e, MenuGroup)
    }
    client.force_login(leader)
    html = client.get("/cases/").content.decode()
    assert html.count('<li class="menugroup">') == 5
    assert '<summary class="current">' not in html
    html = client.get("/mediation/risk/").content.decode()
    assert '<summary class="current">Mediation centre</summary>' in html


def test_a_group_of_one_page_stays_a_plain_entry(district):
    worker = f.make_user(Role.GRID_WORKER, regions=[district["grid11"]])
    menu = menu_entries(worker)
    flat = [e.url_name for e in menu if not isinstance(e, MenuGroup)]
    # The grid worker's only mediation page, and their day, stay on the bar.
    assert "mediation:screening" in flat
    assert "fieldwork:day" in flat


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
