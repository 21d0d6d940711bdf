"""Plans as JSON: export a plan, import one (checked whole before anything is written,
every problem named with where it is), and the automatic triggers' proposals.

The format (levels as "I"…"IV" or 1…4, units by their department code)::

    {"code": "flood", "name": "…", "types": ["101"], "places": ["东营区"],
     "teams": ["…"], "materials": ["…"], "shelters": ["…"], "termination": "…",
     "drilled_on": "2026-05-20", "revised_on": "2026-03-01",
     "levels": [{"level": "IV", "trigger": "automatic", "alert_value": "level_m",
                 "at_least": 3.5, "condition": "…", "lead_unit": "SLJ",
                 "member_units": ["ZJJ"]}],
     "steps": [{"key": "patrol", "owner": "SLJ", "measure": "…",
                "time_limit_minutes": 30, "levels": ["IV", "III"]}]}
"""

import json
import re
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.models import CaseEvent
from civicgrid.routing.models import Department

from . import taxonomy
from .models import Incident, Plan, PlanLevel, PlanStep, ResponseLevel, TriggerKind
from .services import command_refusal

FORMAT = "civicgrid-emergency-plan/1"
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
NUMERAL = {v: k for k, v in ROMAN.items()}
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_STEPS = 500


class PlanProblems(InvalidAction):
    """A plan that cannot be imported; ``problems`` lists every one, where it is."""

    def __init__(self, problems: list[str]):
        super().__init__(
            _("The plan was not imported: %(problems)s") % {"problems": "; ".join(problems[:20])},
            "plan",
        )
        self.problems = problems


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def export_plan(plan: Plan) -> dict:
    """The plan as plain data (what ``import_plan`` reads back)."""
    levels = plan.levels.select_related("lead_unit").prefetch_related("member_units")
    return {
        "format": FORMAT,
        "code": plan.code,
        "name": plan.name,
        "types": list(plan.type_codes),
        "places": list(plan.places),
        "teams": _lines(plan.teams),
        "materials": _lines(plan.materials),
        "shelters": _lines(plan.shelters),
        "termination": plan.termination,
        "drilled_on": plan.drilled_on.isoformat() if plan.drilled_on else None,
        "revised_on": plan.revised_on.isoformat() if plan.revised_on else None,
        "levels": [
            {
                "level": NUMERAL[lv.level],
                "trigger": lv.trigger,
                "alert_value": lv.trigger_key,
                "at_least": lv.trigger_at_least,
                "condition": lv.condition,
                "lead_unit": lv.lead_unit.code if lv.lead_unit else None,
                "member_units": sorted(d.code for d in lv.member_units.all()),
            }
            for lv in levels
        ],
        "steps": [
            {
                "key": step.key,
                "owner": step.owner.code,
                "measure": step.measure,
                "time_limit_minutes": step.limit_minutes,
                "levels": [NUMERAL[n] for n in sorted(step.levels, reverse=True)],
            }
            for step in plan.steps.select_related("owner").order_by("position")
        ],
    }


class _Checker:
    def __init__(self):
        self.problems: list[str] = []
        self.units = {d.code: d for d in Department.objects.filter(active=True)}

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")

    def text(self, data: dict, key: str, where: str, *, required=False, limit=4000) -> str:
        value = data.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(f"{where}{key}", _("must be text"))
            return ""
        value = value.strip()
        if required and not value:
            self.problem(f"{where}{key}", _("is required"))
        if len(value) > limit:
            self.problem(f"{where}{key}", _("is longer than %(n)s characters") % {"n": limit})
        return value[:limit]

    def text_list(self, data: dict, key: str) -> list[str]:
        value = data.get(key) or []
        if isinstance(value, str):
            value = _lines(value)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, _("must be a list of text lines"))
            return []
        return [v.strip() for v in value if v.strip()]

    def level(self, value, where: str) -> int | None:
        if isinstance(value, str) and value.strip().upper() in ROMAN:
            return ROMAN[value.strip().upper()]
        if isinstance(value, int) and not isinstance(value, bool) and value in ResponseLevel.values:
            return value
        self.problem(where, _("is not a response level (I, II, III or IV)"))
        return None

    def unit(self, code, where: str, *, required: bool) -> Department | None:
        if code in (None, ""):
            if required:
                self.problem(where, _("names no unit (every step needs an owner unit)"))
            return None
        unit = self.units.get(str(code))
        if unit is None:
            self.problem(where, _("no active unit has the code %(code)s") % {"code": code})
        return unit

    def day(self, data: dict, key: str) -> date | None:
        value = data.get(key)
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.problem(key, _("is not a date (YYYY-MM-DD)"))
            return None


def _parse(data) -> tuple[dict, list[dict], list[dict]]:
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise PlanProblems([_("not JSON (%(why)s)") % {"why": exc}]) from None
    if not isinstance(data, dict):
        raise PlanProblems([_("a plan is a JSON object")])
    check = _Checker()
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        check.problem("format", _("expected %(format)s") % {"format": FORMAT})
    code = check.text(data, "code", "", required=True, limit=40)
    if code and not KEY.match(code):
        check.problem("code", _("use lower-case letters, digits, - and _"))
    type_codes: list[str] = []
    plan: dict = {
        "code": code,
        "name": check.text(data, "name", "", required=True, limit=120),
        "type_codes": type_codes,
        "places": check.text_list(data, "places"),
        "teams": "\n".join(check.text_list(data, "teams")),
        "materials": "\n".join(check.text_list(data, "materials")),
        "shelters": "\n".join(check.text_list(data, "shelters")),
        "termination": check.text(data, "termination", ""),
        "drilled_on": check.day(data, "drilled_on"),
        "revised_on": check.day(data, "revised_on"),
    }
    types = data.get("types") or []
    if not isinstance(types, list):
        check.problem("types", _("must be a list of incident type codes"))
        types = []
    for i, type_code in enumerate(types):
        if str(type_code) not in taxonomy.types():
            check.problem(f"types[{i}]", _("unknown incident type %(code)s") % {"code": type_code})
        else:
            type_codes.append(str(type_code))
    levels: list[dict] = []
    raw_levels = data.get("levels")
    if not isinstance(raw_levels, list) or not raw_levels:
        check.problem("levels", _("a plan defines at least one response level"))
        raw_levels = []
    for i, raw in enumerate(raw_levels):
        where = f"levels[{i}]."
        if not isinstance(raw, dict):
            check.problem(f"levels[{i}]", _("must be an object"))
            continue
        level = check.level(raw.get("level"), f"{where}level")
        if level is not None and any(lv["level"] == level for lv in levels):
            check.problem(f"{where}level", _("is defined twice"))
        trigger = raw.get("trigger") or TriggerKind.MANUAL
        if trigger not in TriggerKind.values:
            check.problem(f"{where}trigger", _("is manual or automatic"))
        key = check.text(raw, "alert_value", where, limit=40)
        at_least = raw.get("at_least")
        if trigger == TriggerKind.AUTOMATIC:
            if not key:
                check.problem(f"{where}alert_value", _("an automatic trigger names an alert value"))
            if isinstance(at_least, bool) or not isinstance(at_least, (int, float)):
                check.problem(f"{where}at_least", _("an automatic trigger needs a number"))
                at_least = None
        else:
            at_least = (
                at_least
                if isinstance(at_least, (int, float)) and not isinstance(at_least, bool)
                else None
            )
        members = raw.get("member_units") or []
        if not isinstance(members, list):
            check.problem(f"{where}member_units", _("must be a list of unit codes"))
            members = []
        levels.append(
            {
                "level": level,
                "trigger": trigger,
                "trigger_key": key,
                "trigger_at_least": at_least,
                "condition": check.text(raw, "condition", where, limit=300),
                "lead_unit": check.unit(raw.get("lead_unit"), f"{where}lead_unit", required=False),
                "member_units": [
                    u
                    for j, c in enumerate(members)
                    if (u := check.unit(c, f"{where}member_units[{j}]", required=True))
                ],
            }
        )
    defined = {lv["level"] for lv in levels}
    steps: list[dict] = []
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list):
        check.problem("steps", _("must be a list of steps"))
        raw_steps = []
    if len(raw_steps) > MAX_STEPS:
        check.problem("steps", _("at most %(n)s steps") % {"n": MAX_STEPS})
        raw_steps = raw_steps[:MAX_STEPS]
    for i, raw in enumerate(raw_steps):
        where = f"steps[{i}]."
        if not isinstance(raw, dict):
            check.problem(f"steps[{i}]", _("must be an object"))
            continue
        key = str(raw.get("key") or f"step-{i + 1}")
        if not KEY.match(key):
            check.problem(f"{where}key", _("use lower-case letters, digits, - and _"))
        if any(s["key"] == key for s in steps):
            check.problem(f"{where}key", _("is used by another step"))
        limit = raw.get("time_limit_minutes")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 60 * 24 * 90:
            check.problem(
                f"{where}time_limit_minutes", _("is a whole number of minutes (1 to 129600)")
            )
            limit = None
        step_levels = raw.get("levels") or []
        if not isinstance(step_levels, list) or not step_levels:
            check.problem(f"{where}levels", _("name the levels this step belongs to"))
            step_levels = []
        numbers = []
        for j, value in enumerate(step_levels):
            number = check.level(value, f"{where}levels[{j}]")
            if number is not None and number not in defined:
                check.problem(f"{where}levels[{j}]", _("the plan does not define this level"))
            elif number is not None:
                numbers.append(number)
        steps.append(
            {
                "key": key,
                "position": i + 1,
                "owner": check.unit(raw.get("owner"), f"{where}owner", required=True),
                "measure": check.text(raw, "measure", where, required=True),
                "limit_minutes": limit,
                "levels": sorted(set(numbers)),
            }
        )
    if check.problems:
        raise PlanProblems(check.problems)
    return plan, levels, steps


def import_plan(data, *, actor: User) -> Plan:
    """Create a plan from JSON, or replace the plan of the same code; nothing is written
    unless the whole plan is right."""
    why = command_refusal(actor)
    if why:
        raise ActionRefused(why)
    fields, levels, steps = _parse(data)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().filter(code=fields["code"]).first()
        if plan is None:
            plan = Plan.objects.create(**fields)
        else:
            for name, value in fields.items():
                setattr(plan, name, value)
            plan.save()
            plan.levels.all().delete()
            plan.steps.all().delete()
        for lv in levels:
            members = lv.pop("member_units")
            row = PlanLevel.objects.create(plan=plan, **lv)
            row.member_units.set(members)
        PlanStep.objects.bulk_create(PlanStep(plan=plan, **step) for step in steps)
    return plan


# --- automatic triggers ----------------------------------------------------------------

ALERT_EVENTS = ("alert_received", "alert_repeated")


def proposals(incident: Incident) -> list[dict]:
    """Plans whose automatic trigger the alert values on the incident's cases reach (a
    water level at or above a level's mark): the highest level each plan reaches.

    Only a proposal: the command room decides and starts the plan.
    """
    if incident.case_id is None:
        return []
    cases = [incident.case_id, *incident.links.values_list("case_id", flat=True)]
    readings: dict[str, float] = {}
    for data in CaseEvent.objects.filter(case_id__in=cases, action__in=ALERT_EVENTS).values_list(
        "data", flat=True
    ):
        for key, value in ((data or {}).get("values") or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                readings[key] = max(value, readings.get(key, value))
    if not readings:
        return []
    found = []
    rows = PlanLevel.objects.filter(
        trigger=TriggerKind.AUTOMATIC, plan__active=True, trigger_key__in=list(readings)
    ).select_related("plan")
    best: dict[int, PlanLevel] = {}
    for row in rows:
        if not taxonomy.covers(row.plan.type_codes, incident.type_code):
            continue
        reached = row.trigger_at_least is not None and (
            readings[row.trigger_key] >= row.trigger_at_least
        )
        if reached and (row.plan_id not in best or row.level < best[row.plan_id].level):
            best[row.plan_id] = row
    for row in best.values():
        found.append(
            {
                "plan": row.plan,
                "level": row.level,
                "level_label": ResponseLevel(row.level).label,
                "key": row.trigger_key,
                "value": readings[row.trigger_key],
                "at_least": row.trigger_at_least,
            }
        )
    return found
