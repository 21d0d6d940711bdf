"""Demo emergency command: the district's flood, hazardous-chemicals leak and crowd
plans (``data/emergency/*.json``, units by the demo's department codes), and one flood
drill so the command room has something to open."""

from pathlib import Path

from civicgrid.accounts.models import User
from civicgrid.emergency import plans, response, services
from civicgrid.emergency.models import Incident, Plan

PLANS = Path(__file__).parent / "data" / "emergency"


def load_demo() -> None:
    """Safe to run again: plans are replaced by code, the drill made once."""
    commander = User.objects.get(username="commander")
    for path in sorted(PLANS.glob("*.json")):
        plans.import_plan(path.read_text(encoding="utf-8"), actor=commander)
    if Incident.objects.filter(drill=True).exists():
        return
    drill = services.open_incident(
        actor=commander,
        title="广利河防汛演练",
        type_code="101",
        severity="larger",
        drill=True,
        address="广利河胜利大街桥段",
        lng=118.5826,
        lat=37.4501,
        radius_m=800,
    )
    response.start_plan(drill, Plan.objects.get(code="dyq-flood"), 4, actor=commander)
