import json

import pytest

from civicgrid.cases.lifecycle import ActionRefused
from civicgrid.core.pdf import text_of
from civicgrid.emergency import plans, printing, response, services
from civicgrid.emergency.models import Plan, PlanStep

from .factories import flood_plan_data, open_flood

pytestmark = pytest.mark.django_db


def test_a_plan_survives_export_and_import(flood_plan, commander):
    exported = plans.export_plan(flood_plan)
    text = json.dumps(exported, ensure_ascii=False)
    flood_plan.delete()
    again = plans.import_plan(text, actor=commander)
    assert plans.export_plan(again) == exported
    assert [s.key for s in again.steps.order_by("position")] == ["patrol", "warn", "sandbags"]


def test_importing_the_same_code_again_replaces_the_plan(flood_plan, commander, water, works):
    data = flood_plan_data(water, works)
    data["name"] = "东营区防汛应急预案（2026修订）"
    data["steps"] = data["steps"][:1]
    plans.import_plan(data, actor=commander)
    assert Plan.objects.get().name.endswith("修订）")
    assert PlanStep.objects.count() == 1


def test_a_bad_plan_names_every_problem_and_writes_nothing(commander, water, works):
    data = flood_plan_data(water, works)
    data["steps"][0]["owner"] = None
    data["steps"][1]["owner"] = "NOPE"
    data["steps"][2]["levels"] = ["II"]
    data["levels"][1]["at_least"] = "high"
    data["types"] = ["999"]
    with pytest.raises(plans.PlanProblems) as refused:
        plans.import_plan(data, actor=commander)
    problems = "\n".join(refused.value.problems)
    assert "steps[0].owner: names no unit" in problems
    assert "steps[1].owner: no active unit has the code NOPE" in problems
    assert "steps[2].levels[0]: the plan does not define this level" in problems
    assert "levels[1].at_least" in problems
    assert "types[0]" in problems
    assert Plan.objects.count() == 0


def test_text_that_is_not_json_is_refused_clearly(commander):
    with pytest.raises(plans.PlanProblems, match="not JSON"):
        plans.import_plan("{not json", actor=commander)
    with pytest.raises(plans.PlanProblems, match="JSON object"):
        plans.import_plan("[1, 2]", actor=commander)


def test_only_the_command_room_imports_plans(dispatcher, water, works):
    with pytest.raises(ActionRefused):
        plans.import_plan(flood_plan_data(water, works), actor=dispatcher)


def test_the_printed_plan_lists_levels_and_steps(flood_plan):
    text = text_of(printing.plan_pdf(flood_plan))
    assert "东营区防汛应急预案" in text
    assert "加密巡查河道堤防" in text
    assert "level_m" in text


def test_the_printed_log_has_every_entry_in_order(commander, district, flood_plan, water_handler):
    incident = open_flood(commander, district)
    services.file_report(incident, "first", "电话首报：水位3.6米", actor=commander)
    response.start_plan(incident, flood_plan, 4, actor=commander)
    response.acknowledge(incident.tasks.get(key="patrol"), actor=water_handler)
    services.add_log_entry(incident, "decision", "启动防汛IV级响应", actor=commander)
    response.end_response(incident, actor=commander)
    text = text_of(printing.incident_log_pdf(incident)).replace("\n", "")
    assert "广利河水位超警戒" in text
    positions = [text.find(w) for w in ("电话首报", "启动防汛IV级响应")]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "区水务局" in text
