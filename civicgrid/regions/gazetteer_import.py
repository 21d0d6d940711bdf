"""Importing the gazetteer from CSV or Excel (.xlsx), all or nothing.

Columns (first row, English or Chinese headers, any order): ``name`` (名称), ``kind``
(类型), ``lon`` (经度), ``lat`` (纬度), optional ``region`` (区划代码) and ``aliases``
(别名, separated by ``;`` or ``、``). Every row is checked first; a bad row is reported
as ``row N: reason`` (the row number a spreadsheet shows) and nothing is written, unless
the caller asks to skip bad rows. Name, kind and region identify an entry, so importing
a file again updates what changed and adds nothing.
"""

import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from civicgrid.accounts.actor import Actor

from . import locator
from .datum import Datum, InvalidCoordinates, to_wgs84
from .models import Place, PlaceKind, Region

logger = logging.getLogger(__name__)

BATCH = 1000
MAX_ERRORS = 200
COLUMNS = {
    "name": ("name", "名称", "地名", "名字"),
    "kind": ("kind", "type", "类型", "类别", "种类"),
    "lon": ("lon", "lng", "longitude", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "region": ("region", "region_code", "code", "区划代码", "所属区划", "区划"),
    "aliases": ("aliases", "alias", "别名", "又名"),
}
REQUIRED = ("name", "kind", "lon", "lat")
KIND_WORDS = {
    PlaceKind.STREET: ("street", "town", "街道", "镇", "乡", "街道镇", "街道/镇", "乡镇", "街镇"),
    PlaceKind.COMMUNITY: ("community", "village", "社区", "村", "社区村", "社区/村", "村居"),
    PlaceKind.ROAD: ("road", "道路", "路", "街巷", "街路巷"),
    PlaceKind.LANDMARK: ("landmark", "poi", "地标", "兴趣点", "标志物", "建筑"),
    PlaceKind.ADDRESS: ("address", "门牌", "门牌地址", "地址", "楼栋"),
}
KIND_OF_WORD = {word: kind for kind, words in KIND_WORDS.items() for word in words}
ALIAS_SEPARATORS = re.compile(r"[;；|、,，]")
CONCURRENT_IMPORT = gettext_lazy(
    "Another import changed the gazetteer at the same time: nothing was imported, try again."
)
FIELDS = ("lng", "lat", "aliases", "initials", "pinyin", "search_text", "source", "updated_at")


class ImportFailed(Exception):
    """The import was refused; ``errors`` lists ``row N: reason`` strings."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Entry:
    row: int
    name: str
    kind: str
    lng: float
    lat: float
    region_id: int | None
    aliases: str

    @property
    def key(self) -> tuple:
        return (self.name, self.kind, self.region_id)


@dataclass
class Imported:
    """What an import did; ``skipped`` holds the bad rows' messages when they were skipped."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------


def read_rows(data: bytes) -> Iterator[tuple[int, list]]:
    """(row number, cells) of a CSV (UTF-8 or GB18030) or .xlsx file, header included."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFailed([_("This is an old Excel file (.xls): save it as .xlsx or CSV.")])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFailed([_("The file is neither CSV (UTF-8 or GB18030) nor Excel (.xlsx).")])
    return _csv_rows(text)


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFailed(
            [_("row %(row)d: %(problem)s") % {"row": start, "problem": str(exc)}]
        ) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is reported, not raised
        raise ImportFailed([_("The Excel file cannot be read.")]) from exc
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        book.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code Excel stored as a number: 370502001011.0
    return str(value).strip()


def _columns(header: list) -> dict[str, int]:
    names = [_text(cell).lower() for cell in header]
    found = {}
    for column, words in COLUMNS.items():
        for index, name in enumerate(names):
            if name in words and column not in found:
                found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise ImportFailed(
            [
                _(
                    "row 1: the header lacks the columns %(missing)s "
                    "(expected name, kind, lon, lat and optionally region, aliases)"
                )
                % {"missing": ", ".join(missing)}
            ]
        )
    return found


# --- checking ----------------------------------------------------------------------------


class _Bad(ValueError):
    pass


LONGITUDE, LATITUDE = gettext_lazy("longitude"), gettext_lazy("latitude")


def _number(value, label) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(_text(value))
    except ValueError:
        raise _Bad(
            _("%(label)s “%(value)s” is not a number")
            % {"label": str(label), "value": _text(value)}
        ) from None


def _kind(value) -> str:
    word = _text(value).lower()
    if word in KIND_OF_WORD:
        return KIND_OF_WORD[word]
    if not word:
        raise _Bad(_("the kind is missing"))
    raise _Bad(
        _(
            "unknown kind “%(kind)s”: use street, community, road, landmark or address "
            "(街道/镇, 社区/村, 道路, 地标, 门牌地址)"
        )
        % {"kind": word}
    )


class _Checker:
    """Turns rows into entries, remembering what is wrong with each bad row."""

    def __init__(self, datum: str, regions: dict[str, Region]):
        self.datum = datum
        self.regions = regions
        self.first_row: dict[tuple, int] = {}

    def entry(self, row: int, cells: list, columns: dict[str, int]) -> Entry:
        def cell(column: str):
            index = columns.get(column)
            return cells[index] if index is not None and index < len(cells) else None

        name = _text(cell("name"))
        if not name:
            raise _Bad(_("the name is missing"))
        if len(name) > 100:
            raise _Bad(_("the name is longer than 100 characters"))
        kind = _kind(cell("kind"))
        lng, lat = self._point(cell("lon"), cell("lat"))
        region_id = self._region(_text(cell("region")), lng, lat)
        aliases = ";".join(
            dict.fromkeys(a.strip() for a in ALIAS_SEPARATORS.split(_text(cell("aliases"))))
        ).strip(";")
        if len(aliases) > 255:
            raise _Bad(_("the aliases are longer than 255 characters"))
        entry = Entry(row, name, kind, lng, lat, region_id, aliases)
        first = self.first_row.setdefault(entry.key, row)
        if first != row:
            raise _Bad(
                _("the same place (name, kind and region) as row %(first)d") % {"first": first}
            )
        return entry

    def _point(self, lon, lat) -> tuple[float, float]:
        lng_value, lat_value = _number(lon, LONGITUDE), _number(lat, LATITUDE)
        try:
            lng, lat = to_wgs84(lng_value, lat_value, self.datum)
        except InvalidCoordinates as exc:
            raise _Bad(str(exc)) from None
        if not locator.serves(lng, lat):
            raise _Bad(
                _("the point %(lng)s, %(lat)s lies outside the area served (%(area)s)")
                % {"lng": lng_value, "lat": lat_value, "area": locator.area_name()}
            )
        return round(lng, 7), round(lat, 7)

    def _region(self, code: str, lng: float, lat: float) -> int | None:
        if not code:
            return locator.community_id_at(lng, lat)
        region = self.regions.get(code)
        if region is None:
            raise _Bad(_("there is no region with code %(code)s") % {"code": code})
        return region.pk


def check(data: bytes, datum: str, *, progress: bool = False) -> tuple[list[Entry], list[str]]:
    """The entries of a file and the message of each bad row."""
    rows = read_rows(data)
    header = next(rows, None)
    if header is None:
        raise ImportFailed([_("The file is empty.")])
    columns = _columns(header[1])
    rows_list = [(n, cells) for n, cells in rows if any(_text(c) for c in cells)]
    at = columns.get("region")
    codes = {_text(c[at]) for _n, c in rows_list if at is not None and at < len(c)} - {""}
    regions = Region.objects.filter(code__in=codes).defer("boundary").in_bulk(field_name="code")
    checker = _Checker(datum, regions)
    entries, errors = [], []
    for number, cells in tqdm(rows_list, disable=not progress, desc=_("checking"), unit=""):
        try:
            entries.append(checker.entry(number, cells, columns))
        except _Bad as exc:
            errors.append(_("row %(row)d: %(problem)s") % {"row": number, "problem": str(exc)})
    if not entries and not errors:
        raise ImportFailed([_("The file has no rows below its header.")])
    return entries, errors


# --- writing -----------------------------------------------------------------------------


def import_places(
    data: bytes,
    *,
    datum: str = Datum.WGS84,
    source: str = "",
    replace: bool = False,
    skip_bad_rows: bool = False,
    actor: Actor = None,
    progress: bool = False,
) -> Imported:
    """Import gazetteer entries from the bytes of a CSV or .xlsx file in ``datum``.

    All or nothing: ``ImportFailed`` lists every bad row and nothing is written, unless
    ``skip_bad_rows`` (then the good rows are imported and the bad ones reported in
    ``skipped``). ``replace``: entries an earlier import of the same ``source`` made
    that this file no longer has are removed.
    """
    if datum not in Datum.values:
        raise ImportFailed(
            [_("Unknown datum “%(datum)s”: use wgs84, gcj02 or bd09.") % {"datum": datum}]
        )
    entries, errors = check(data, datum, progress=progress)
    if errors and not skip_bad_rows:
        raise ImportFailed(errors)
    if not entries:
        raise ImportFailed(errors)
    try:
        with transaction.atomic():
            result = _write(entries, source[:200], replace, progress)
    except IntegrityError as exc:
        raise ImportFailed([str(CONCURRENT_IMPORT)]) from exc
    result.skipped = errors
    logger.info("gazetteer imported by %s: %s", actor or "system", result)
    return result


def _write(entries: list[Entry], source: str, replace: bool, progress: bool) -> Imported:
    result = Imported()
    existing = {
        (name, kind, region_id): (pk, lng, lat, aliases, old_source)
        for pk, name, kind, region_id, lng, lat, aliases, old_source in Place.objects.values_list(
            "pk", "name", "kind", "region_id", "lng", "lat", "aliases", "source"
        )
    }
    new: list[Place] = []
    changed: list[Place] = []
    kept: set[int] = set()
    now = timezone.now()
    for entry in tqdm(entries, disable=not progress, desc=_("writing"), unit=""):
        old = existing.get(entry.key)
        if old is not None:
            kept.add(old[0])
            if old[1:] == (entry.lng, entry.lat, entry.aliases, source):
                result.unchanged += 1
                continue
        place = Place(
            pk=old[0] if old else None,
            name=entry.name,
            kind=entry.kind,
            region_id=entry.region_id,
            lng=entry.lng,
            lat=entry.lat,
            aliases=entry.aliases,
            source=source,
            updated_at=now,
        )
        place.refresh_keys()
        (changed if old else new).append(place)
    Place.objects.bulk_create(new, batch_size=BATCH)
    Place.objects.bulk_update(changed, FIELDS, batch_size=BATCH)
    result.created, result.updated = len(new), len(changed)
    if replace:
        gone = [pk for (pk, *_rest, old_source) in existing.values() if old_source == source]
        gone = [pk for pk in gone if pk not in kept]
        for start in range(0, len(gone), BATCH):
            Place.objects.filter(pk__in=gone[start : start + BATCH]).delete()
        result.removed = len(gone)
    return result
