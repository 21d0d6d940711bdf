"""The routing table: minutes by road between regions (street or community codes), from
where a resource stands to where an incident is. When a pair is known, "nearest" ranks by
it and says "by the routing table"; otherwise it falls back to the road estimate
(``resourcing.travel_minutes``).

The table lives in the database (``TravelTime``, replaced as a whole by ``civicgrid
import-travel-table``), so every process sees the same one. Each process keeps it in
memory and checks its version (row count and last import time) at most every
``CHECK_EVERY_SECONDS`` (a ``core.snapshot``). ``settings.EMERGENCY_TRAVEL_TABLE`` may
instead name a CSV file (from_code,to_code,minutes) read directly, re-read when its
modification time changes.
"""

import csv
import io
import math
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.snapshot import Snapshot
from civicgrid.regions import locator
from civicgrid.regions.models import Level, Region

from .resources import TravelTime

CHECK_EVERY_SECONDS = 5.0
COLUMNS = ("from_code", "to_code", "minutes")
MAX_ERRORS = 20
LEVELS = (Level.STREET, Level.COMMUNITY)


class ImportFailed(Exception):
    """The file was refused; ``errors`` lists why, one a line. Nothing was imported."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _file() -> Path | None:
    path = getattr(settings, "EMERGENCY_TRAVEL_TABLE", "") or ""
    return Path(path) if path else None


def _version() -> tuple:
    path = _file()
    if path is not None:
        return ("file", str(path), path.stat().st_mtime_ns if path.is_file() else None)
    row = TravelTime.objects.aggregate(n=Count("id"), m=Max("imported_at"))
    return ("db", row["n"], row["m"])


def _load() -> dict[tuple[str, str], float]:
    path = _file()
    if path is not None:
        if not path.is_file():
            return {}
        rows, _errors = read_rows(path.read_text(encoding="utf-8-sig"))
        return {(a, b): m for a, b, m in rows}
    return {
        (a, b): m for a, b, m in TravelTime.objects.values_list("from_code", "to_code", "minutes")
    }


_pairs: Snapshot[dict[tuple[str, str], float]] = Snapshot(
    _version, _load, every=CHECK_EVERY_SECONDS
)


def refresh() -> None:
    """Forget the table so the next lookup reads it again (after an import here)."""
    _pairs.forget()


def in_use() -> bool:
    """Whether the routing table has any pair."""
    return bool(_pairs.get())


def _codes(lng: float, lat: float) -> list[str]:
    """The region codes of a point, deepest first (grid, community, street, …)."""
    return list(reversed(locator.locate(lng, lat).lineage))


def minutes_between(frm: list[str], to: list[str]) -> float | None:
    """Minutes from the deepest known pair of the two lineages (deepest first), or None."""
    pairs = _pairs.get()
    best: tuple[int, float] | None = None
    for i, a in enumerate(frm):
        for j, b in enumerate(to):
            m = pairs.get((a, b))
            if m is not None and (best is None or i + j < best[0]):
                best = (i + j, m)
    return None if best is None else best[1]


def lookup(resources: list[tuple[float, float]], lng: float, lat: float) -> list[float | None]:
    """For each resource position, the routing table's minutes to (lng, lat), or None."""
    if not in_use():
        return [None] * len(resources)
    to = _codes(lng, lat)
    if not to:
        return [None] * len(resources)
    return [minutes_between(_codes(x, y), to) for x, y in resources]


# --- import ---------------------------------------------------------------------------


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_rows(text: str) -> tuple[list[tuple[str, str, float]], list[str]]:
    """The rows of a routing table CSV and the problems found (line numbers as in the file)."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [
            _("The file needs the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
        ]
    at = [header.index(c) for c in COLUMNS]
    rows, errors, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        cells = [raw[i].strip() if i < len(raw) else "" for i in at]
        frm, to, text_minutes = cells
        minutes = _number(text_minutes)
        if minutes is None:
            errors.append(
                _("Line %(line)d: the minutes %(value)s are not a number.")
                % {"line": line, "value": repr(text_minutes)}
            )
            continue
        if minutes < 0:
            errors.append(
                _("Line %(line)d: the minutes %(value)s are negative.")
                % {"line": line, "value": text_minutes}
            )
            continue
        if (frm, to) in seen:
            errors.append(
                _("Line %(line)d: the pair %(from)s → %(to)s is listed twice.")
                % {"line": line, "from": frm, "to": to}
            )
            continue
        seen.add((frm, to))
        rows.append((frm, to, minutes))
    return rows, errors


def import_table(text: str) -> int:
    """Replace the routing table with a CSV's rows (from_code,to_code,minutes; codes of
    streets or communities). All or nothing: raises ``ImportFailed`` listing the problems."""
    rows, errors = read_rows(text)
    codes = {c for a, b, _m in rows for c in (a, b)}
    known = set(
        Region.objects.filter(code__in=codes, level__in=LEVELS).values_list("code", flat=True)
    )
    for frm, to, _m in rows:
        for code in (frm, to):
            if code not in known:
                errors.append(
                    _("Unknown region code %(code)s (a street or community code is needed).")
                    % {"code": code or "—"}
                )
                known.add(code)  # said once
    if not errors and not rows:
        errors.append(_("The file has no rows."))
    if errors:
        raise ImportFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        TravelTime.objects.all().delete()
        TravelTime.objects.bulk_create(
            TravelTime(from_code=a, to_code=b, minutes=m, imported_at=now) for a, b, m in rows
        )
    refresh()
    return len(rows)
