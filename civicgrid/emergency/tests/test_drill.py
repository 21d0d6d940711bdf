import pytest

from civicgrid.cases.lifecycle import InvalidAction
from civicgrid.cases.models import Case, CaseAccess, CaseEvent
from civicgrid.core.pdf import text_of
from civicgrid.emergency import printing, response, services

from .factories import open_flood

pytestmark = pytest.mark.django_db


def test_a_drill_runs_the_whole_flow_without_touching_live_cases(
    commander, district, flood_plan, new_case, water_handler, django_capture_on_commit_callbacks
):
    cases, events = Case.objects.count(), CaseEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        drill = open_flood(commander, district, drill=True, title="防汛演练")
        response.start_plan(drill, flood_plan, 4, actor=commander)
        response.acknowledge(drill.tasks.get(key="patrol"), actor=water_handler)
        response.change_level(drill, 3, actor=commander)
        response.end_response(drill, actor=commander)
    assert drill.case is None
    assert Case.objects.count() == cases
    assert CaseEvent.objects.count() == events
    assert not CaseAccess.objects.exists()
    assert drill.tasks.filter(status="closed").count() == 2
    with pytest.raises(InvalidAction, match="never touches live cases"):
        services.group_case(drill, new_case, actor=commander)
    with pytest.raises(InvalidAction, match="never touches live cases"):
        services.open_incident(
            actor=commander, case=new_case, drill=True, type_code="101", severity="general"
        )


def test_a_drill_is_marked_as_one_in_print(commander, district):
    drill = open_flood(commander, district, drill=True)
    assert "DRILL" in str(drill)
    assert "DRILL" in text_of(printing.incident_log_pdf(drill))
