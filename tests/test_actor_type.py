"""Services say who may act: ``actor: Actor`` (a person, or None for the system) or
``actor: User`` where only a person may."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "civicgrid"
SERVICES = [
    *PACKAGE.glob("*/services.py"),
    PACKAGE / "cases" / "lifecycle.py",
    PACKAGE / "cases" / "action_rules.py",
    PACKAGE / "cases" / "events.py",
]


def test_every_service_types_its_actor():
    untyped = []
    for path in SERVICES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for arg in [*node.args.args, *node.args.kwonlyargs]:
                if arg.arg == "actor" and (
                    arg.annotation is None or ast.unparse(arg.annotation) not in {"Actor", "User"}
                ):
                    untyped.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert untyped == []
