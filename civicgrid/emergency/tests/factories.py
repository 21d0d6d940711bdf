"""Plain factories for emergency tests: a command-room account, a small flood plan."""

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.emergency import plans, services


def make_commander(district, username="commander"):
    return f.make_user(Role.COMMANDER, regions=[district["district"]], username=username)


def flood_plan_data(water, works, *, steps_per_level=None) -> dict:
    """A flood plan: IV (water bureau patrols), III adds the works bureau; level III is
    triggered automatically from a water level of 3.5 m."""
    steps = steps_per_level or [
        {
            "key": "patrol",
            "owner": water.code,
            "measure": "加密巡查河道堤防",
            "time_limit_minutes": 30,
            "levels": ["IV", "III"],
        },
        {
            "key": "warn",
            "owner": water.code,
            "measure": "发布防汛预警",
            "time_limit_minutes": 60,
            "levels": ["IV"],
        },
        {
            "key": "sandbags",
            "owner": works.code,
            "measure": "调运沙袋封堵低洼路口",
            "time_limit_minutes": 60,
            "levels": ["III"],
        },
    ]
    return {
        "code": "flood",
        "name": "东营区防汛应急预案",
        "types": ["101"],
        "places": ["东营区"],
        "teams": ["区防汛抢险队 50人"],
        "materials": ["沙袋 5000条"],
        "shelters": ["区体育馆"],
        "termination": "水位回落至警戒水位以下",
        "levels": [
            {"level": "IV", "trigger": "manual", "lead_unit": water.code, "member_units": []},
            {
                "level": "III",
                "trigger": "automatic",
                "alert_value": "level_m",
                "at_least": 3.5,
                "lead_unit": water.code,
                "member_units": [works.code],
            },
        ],
        "steps": steps,
    }


def make_flood_plan(commander, water, works, **kwargs):
    return plans.import_plan(flood_plan_data(water, works, **kwargs), actor=commander)


def open_flood(commander, district, **overrides):
    x0, y0 = f.point_in(district["grid11"])
    fields = {
        "title": "广利河水位超警戒",
        "type_code": "101",
        "severity": "larger",
        "lng": x0,
        "lat": y0,
        "radius_m": 500,
    }
    fields.update(overrides)
    return services.open_incident(actor=commander, **fields)
