"""The floors hold where import-linter cannot see (docs/architecture.md, "Floors").

import-linter (``uv run lint-imports``, the "floors" contract in pyproject.toml) checks
Python imports. Two other ways reach up a floor without an import: looking a model up by
name (``apps.get_model("other", …)``) and loading another app's template tags. The floors
are read from the same contract, so there is one list.
"""

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "civicgrid"
LOAD = re.compile(r"{%\s*load\s+(.*?)\s*%}")


def floors() -> dict[str, int]:
    """App (``cases``) → its floor, 0 the lowest; from the "floors" layers contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["name"] == "floors")
    result = {}
    for height, layer in enumerate(reversed(contract["layers"])):
        for module in re.split(r"[|:]", layer.strip("() ")):
            result[module.strip().strip("()").removeprefix("civicgrid.")] = height
    return result


FLOORS = floors()
TOP = max(FLOORS.values())


def floor_of(app: str) -> int:
    """An app missing from the contract is a project module, on the top floor."""
    return FLOORS.get(app, TOP)


def may_use(user: str, used: str) -> bool:
    """An app uses itself and the floors below it; never a neighbour on its own floor."""
    return user == used or floor_of(used) < floor_of(user) or floor_of(user) == TOP


def apps() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/apps.py"))


def tag_libraries() -> dict[str, str]:
    """Template tag library name → the app that has it."""
    return {
        module.stem: module.parents[1].name
        for module in PACKAGE.glob("*/templatetags/*.py")
        if module.stem != "__init__"
    }


def libraries_loaded(text: str) -> list[str]:
    """``{% load a b %}`` → a, b; ``{% load x y from lib %}`` → lib."""
    names = []
    for load in LOAD.findall(text):
        parts = load.split()
        names += [parts[-1]] if "from" in parts else parts
    return names


def wrong_way_tags() -> list[str]:
    libraries = tag_libraries()
    found = []
    for template in sorted(PACKAGE.glob("*/templates/**/*.html")):
        app = template.relative_to(PACKAGE).parts[0]
        for name in libraries_loaded(template.read_text(encoding="utf-8")):
            owner = libraries.get(name)
            if owner is not None and not may_use(app, owner):
                found.append(f"{template.relative_to(ROOT)} loads {name} ({owner})")
    return found


def model_lookups(source: str) -> list[str]:
    """The app labels named in ``….get_model("label", …)`` / ``get_model("label.Model")``."""
    labels = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0]
        if name == "get_model" and isinstance(first, ast.Constant):
            labels.append(str(first.value).split(".")[0])
    return labels


def cross_app_lookups() -> list[str]:
    """Product code only: migrations work on historical models, found by name alone."""
    found = []
    for module in sorted(PACKAGE.glob("*/**/*.py")):
        parts = module.relative_to(PACKAGE).parts
        if len(parts) < 2 or {"migrations", "tests"} & set(parts):
            continue
        app = parts[0]
        for label in model_lookups(module.read_text(encoding="utf-8")):
            if label != app:
                found.append(f"{module.relative_to(ROOT)} looks up a model of {label}")
    return found


def test_the_contract_names_every_app():
    assert set(apps()) - set(FLOORS) == set()


def test_no_template_loads_the_tags_of_an_app_above_or_beside_it():
    assert wrong_way_tags() == []


def test_no_product_code_looks_up_another_apps_model_by_name():
    assert cross_app_lookups() == []


def test_the_checks_catch_what_they_are_for():
    assert libraries_loaded("{% load i18n case_tags %}{% load panel from gridwork_tags %}") == [
        "i18n",
        "case_tags",
        "gridwork_tags",
    ]
    assert not may_use("cases", "gridwork")  # up
    assert not may_use("gridwork", "triage")  # beside
    assert may_use("gridwork", "cases")
    assert may_use("cases", "cases")
    source = 'apps.get_model("gridwork", "Summons")\nget_model("cases.Case")'
    assert model_lookups(source) == ["gridwork", "cases"]
