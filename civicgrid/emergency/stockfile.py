"""Resources from Excel (openpyxl): warehouses, stock, teams, experts and shelters, one
sheet a kind, a header row then one row per resource. Every row is checked first; one
bad row and nothing is saved — the errors say which row and what is wrong.

Columns (header names, in any order; see ``COLUMNS``):
warehouses: name, lng, lat, address, unit (department code);
stock: warehouse (name), item (material code), quantity, minimum;
teams: name, lng, lat, size, skills (comma-separated), equipment, unit, available (1/0);
experts: name, lng, lat, field, phone; shelters: name, lng, lat, capacity, level.
"""

import io
import json
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from civicgrid.routing.models import Department

from .resources import Expert, Item, Shelter, Stock, Team, Warehouse

COLUMNS = {
    "warehouses": ("name", "lng", "lat", "address", "unit"),
    "stock": ("warehouse", "item", "quantity", "minimum"),
    "teams": ("name", "lng", "lat", "size", "skills", "equipment", "unit", "available"),
    "experts": ("name", "lng", "lat", "field", "phone"),
    "shelters": ("name", "lng", "lat", "capacity", "level"),
}
REQUIRED = {
    "warehouses": ("name", "lng", "lat"),
    "stock": ("warehouse", "item", "quantity"),
    "teams": ("name", "lng", "lat"),
    "experts": ("name", "lng", "lat", "field"),
    "shelters": ("name", "lng", "lat"),
}
MAX_ROWS = 20_000
MATERIALS = Path(__file__).parent / "data" / "materials.json"


class ImportRefused(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def load_materials() -> int:
    """The material codes of ``data/materials.json``, created or renamed; safe to rerun."""
    rows = json.loads(MATERIALS.read_text(encoding="utf-8"))["materials"]
    for code, name, unit in rows:
        Item.objects.update_or_create(code=code, defaults={"name": name, "unit_of_measure": unit})
    return len(rows)


def _text(v) -> str:
    return "" if v is None else str(v).strip()


def _number(v, low: float, high: float, whole: bool = False):
    if v is None or _text(v) == "":
        raise ValueError
    n = float(v)
    if not low <= n <= high or (whole and n != int(n)):
        raise ValueError
    return int(n) if whole else n


def _check(
    kind: str, row: dict, units: dict, warehouses: dict, items: dict
) -> Callable[[], object]:
    """A saver for one row, or ValueError with the reason."""
    for name in REQUIRED[kind]:
        if _text(row.get(name)) == "":
            raise ValueError(_("%(column)s is empty") % {"column": name})
    fields: dict = {}
    if "lng" in REQUIRED[kind]:
        try:
            fields["lng"] = _number(row["lng"], 73, 136)
            fields["lat"] = _number(row["lat"], 3, 54)
        except (TypeError, ValueError):
            raise ValueError(_("lng/lat are not a point in China")) from None
        fields["name"] = _text(row["name"])[:120]
    unit = None
    if _text(row.get("unit")):
        unit = units.get(_text(row["unit"]))
        if unit is None:
            raise ValueError(_("no unit with code %(code)s") % {"code": _text(row["unit"])})
    if kind == "warehouses":
        fields.update(address=_text(row.get("address"))[:200], unit=unit)
        return lambda: Warehouse.objects.update_or_create(name=fields.pop("name"), defaults=fields)
    if kind == "stock":
        wh = warehouses.get(_text(row["warehouse"]))
        item = items.get(_text(row["item"]))
        if wh is None:
            raise ValueError(_("no warehouse named %(name)s") % {"name": _text(row["warehouse"])})
        if item is None or item.level != 4:
            raise ValueError(
                _("%(code)s is not a material code of 8 digits") % {"code": _text(row["item"])}
            )
        try:
            quantity = _number(row["quantity"], 0, 10_000_000, whole=True)
            minimum = _number(row.get("minimum") or 0, 0, 10_000_000, whole=True)
        except (TypeError, ValueError):
            raise ValueError(_("quantity and minimum must be whole numbers, 0 or more")) from None
        return lambda: Stock.objects.update_or_create(
            warehouse=wh, item=item, defaults={"quantity": quantity, "minimum": minimum}
        )
    if kind == "teams":
        try:
            size = _number(row.get("size") or 0, 0, 100_000, whole=True)
        except (TypeError, ValueError):
            raise ValueError(_("size must be a whole number")) from None
        skills = [s.strip() for s in _text(row.get("skills")).replace("，", ",").split(",")]
        available = _text(row.get("available")).lower() not in ("0", "false", "no", "否")
        fields.update(
            size=size,
            skills=[s for s in skills if s],
            equipment=_text(row.get("equipment")),
            unit=unit,
            available=available,
        )
        return lambda: Team.objects.update_or_create(name=fields.pop("name"), defaults=fields)
    if kind == "experts":
        phone = _text(row.get("phone"))
        if phone and not phone.replace("-", "").isdigit():
            raise ValueError(_("the phone has other characters than digits"))
        fields.update(field=_text(row["field"])[:60], phone=phone[:20])
        return lambda: Expert.objects.update_or_create(name=fields.pop("name"), defaults=fields)
    try:
        capacity = _number(row.get("capacity") or 0, 0, 10_000_000, whole=True)
    except (TypeError, ValueError):
        raise ValueError(_("capacity must be a whole number")) from None
    fields.update(capacity=capacity, level=_text(row.get("level"))[:20])
    return lambda: Shelter.objects.update_or_create(name=fields.pop("name"), defaults=fields)


def import_workbook(
    kind: str, data: bytes, progress: Callable[[int, int], None] | None = None
) -> int:
    """Import the first sheet of ``data`` as ``kind``; the number of rows saved.
    Raises ``ImportRefused`` with every row's error, having saved nothing."""
    if kind not in COLUMNS:
        raise ImportRefused([_("Choose warehouses, stock, teams, experts or shelters.")])
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    except Exception:  # noqa: BLE001 — any unreadable file is the same refusal
        raise ImportRefused([_("This is not an Excel workbook (.xlsx).")]) from None
    if not rows:
        raise ImportRefused([_("The sheet is empty.")])
    header = [_text(h).lower() for h in rows[0]]
    missing = [c for c in REQUIRED[kind] if c not in header]
    if missing:
        raise ImportRefused([_("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}])
    body = [r for r in rows[1:] if any(_text(v) for v in r)]
    if len(body) > MAX_ROWS:
        raise ImportRefused([_("At most %(n)s rows at a time.") % {"n": MAX_ROWS}])
    units = {d.code: d for d in Department.objects.all()}
    warehouses = {w.name: w for w in Warehouse.objects.all()}
    items = {i.code: i for i in Item.objects.all()}
    savers, errors = [], []
    for number, values in enumerate(body, start=2):
        row = dict(zip(header, values, strict=False))
        try:
            savers.append(_check(kind, row, units, warehouses, items))
        except ValueError as e:
            errors.append(_("Row %(row)s: %(error)s") % {"row": number, "error": e})
    if errors:
        raise ImportRefused(errors)
    with transaction.atomic():
        for done, save in enumerate(savers, start=1):
            save()
            if progress:
                progress(done, len(savers))
    return len(savers)
