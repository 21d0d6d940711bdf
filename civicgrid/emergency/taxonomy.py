"""The four classes of sudden public events and their subtypes, as data
(``data/incident_types.json``): an incident names one subtype (or a class) by code."""

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "incident_types.json"


@cache
def types() -> dict[str, str]:
    """Every code → its name with the class in front (``自然灾害 / 水旱灾害``)."""
    found: dict[str, str] = {}
    for group in json.loads(DATA.read_text(encoding="utf-8"))["types"]:
        found[group["code"]] = group["name"]
        for child in group.get("children", ()):
            found[child["code"]] = f"{group['name']} / {child['name']}"
    return found


def choices() -> list[tuple[str, str]]:
    return sorted(types().items())


def name(code: str) -> str:
    return types().get(code, code)


def covers(scope: list[str], code: str) -> bool:
    """Whether a plan whose scope lists ``scope`` covers an incident of type ``code``:
    an empty scope covers all; a class code covers its subtypes."""
    return not scope or any(code == s or code.startswith(s) for s in scope)
