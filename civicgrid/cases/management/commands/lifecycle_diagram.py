"""Render the transition table as a Mermaid diagram into docs/lifecycle.md."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import override

from civicgrid.cases.lifecycle import PERMISSIONS, TRANSITIONS, Action
from civicgrid.cases.models import Status

BEGIN = "<!-- lifecycle-diagram:begin -->"
END = "<!-- lifecycle-diagram:end -->"


def mermaid() -> str:
    lines = ["```mermaid", "stateDiagram-v2"]
    for status in Status:
        lines.append(f"    {status.value}: {status.value} ({status.label})")
    for (source, action), target in TRANSITIONS.items():
        if source == target and action in (Action.URGE, Action.MARK_OVERDUE):
            continue  # on every open status; listed in the table below instead
        lines.append(f"    {source or '[*]'} --> {target}: {action}")
    lines.append("    closed --> [*]")
    lines.append("    merged --> [*]")
    lines.append("```")
    return "\n".join(lines)


def table() -> str:
    rows = ["| action | from → to | who |", "| --- | --- | --- |"]
    for action in Action:
        moves = [f"{s or '∅'} → {t}" for (s, a), t in TRANSITIONS.items() if a == action]
        if not moves:
            continue
        roles = ", ".join(PERMISSIONS.get(action, ((), ""))[0]) or "system"
        rows.append(f"| `{action.value}` {action.label} | {'<br>'.join(moves)} | {roles} |")
    return "\n".join(rows)


class Command(BaseCommand):
    help = "Write the lifecycle diagram and table into docs/lifecycle.md."

    def add_arguments(self, parser):
        parser.add_argument("--file", default="docs/lifecycle.md")
        parser.add_argument("--check", action="store_true", help="fail if the file is stale")

    def handle(self, *args, **options):
        path = Path(options["file"])
        with override("zh-hans"):
            block = f"{BEGIN}\n{mermaid()}\n\n{table()}\n{END}"
        text = path.read_text(encoding="utf-8")
        start, end = text.index(BEGIN), text.index(END) + len(END)
        updated = text[:start] + block + text[end:]
        if options["check"]:
            if updated != text:
                raise SystemExit(f"{path} is stale: run `civicgrid lifecycle-diagram`")
            return
        path.write_text(updated, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
