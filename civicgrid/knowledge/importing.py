"""A city's own knowledge base from a CSV file: read and check every line, then import.

The header is ``question,answer,category_code,department_code,valid_from,valid_to,source``
(``keywords`` may follow: other phrasings separated by ``|``). Dates are ``YYYY-MM-DD``;
an empty ``valid_from`` means today, an empty ``valid_to`` "until withdrawn". Every line
is checked before anything is stored, and any bad line stops the whole import.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from civicgrid.routing.models import Category, Department

from . import services
from .models import Entry

REQUIRED = ("question", "answer", "category_code", "department_code", "valid_from", "valid_to")
OPTIONAL = ("source", "keywords")


@dataclass
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)d, %(field)s: %(message)s") % {
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class Checked:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _records(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """(line where the record starts, row, header problem) for each record."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED if name not in header]
        unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
        if missing or unknown:
            problem = _("the header must be %(expected)s") % {
                "expected": ",".join(REQUIRED + OPTIONAL[:1])
            }
            yield 1, None, problem
            return
        reader.fieldnames = header
        start = reader.line_num + 1
        for row in reader:
            yield start, row, ""
            start = reader.line_num + 1


def _date(value: str, name: str, problems: list[str]) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append((name, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}))
        return None


def _reference(known: dict, code: str, name: str, problems: list) -> object | None:
    code = (code or "").strip()
    if not code:
        return None
    found = known.get(code)
    if found is None:
        problems.append((name, _("no active one has the code “%(code)s”.") % {"code": code}))
    return found


def lookups() -> dict[str, dict]:
    """Active categories and departments by code, read once per file."""
    return {
        "category": {c.code: c for c in Category.objects.filter(active=True)},
        "department": {d.code: d for d in Department.objects.filter(active=True)},
    }


def check_row(row: dict, known: dict) -> tuple[Entry | None, list[tuple[str, str]]]:
    """An unsaved entry from one CSV row, or the problems of the row by column."""
    problems: list[tuple[str, str]] = []
    if None in row or any(row.get(name) is None for name in REQUIRED):
        return None, [("", _("the line does not have the header's number of columns."))]
    fields = {
        "question": row["question"],
        "answer": row["answer"],
        "source": row.get("source") or "",
        "keywords": "\n".join((row.get("keywords") or "").split("|")),
        "category": _reference(known["category"], row["category_code"], "category_code", problems),
        "department": _reference(
            known["department"], row["department_code"], "department_code", problems
        ),
        "valid_from": _date(row["valid_from"], "valid_from", problems),
        "valid_to": _date(row["valid_to"], "valid_to", problems),
    }
    if "\x00" in "".join(str(v) for v in row.values()):
        problems.append(("", _("NUL characters are not allowed.")))
    if problems:
        return None, problems
    try:
        return services.new_entry(**fields), []
    except services.InvalidEntry as error:
        return None, list(error.errors.items())


def check_file(path: Path, progress=None) -> Checked:
    """Every line of the file checked; ``entries`` is only complete when ``problems`` is empty."""
    checked, known = Checked(), lookups()
    for line, row, header_problem in _records(path):
        if progress is not None:
            progress.update(1)
        if row is None:
            checked.problems.append(Problem(line, "header", header_problem))
            continue
        entry, problems = check_row(row, known)
        checked.problems.extend(Problem(line, name or "—", message) for name, message in problems)
        if entry is not None:
            checked.entries.append(entry)
    return checked
