"""The gazetteer (地名地址库): search keys, search as one types, the demo's entries.

A query in Chinese matches names; a query in Latin letters matches the pinyin initials
(东营社区 ← ``dysq``) and the full pinyin (``dongying``). Ranking: the exact name, then
names starting with the query, then initials, then full pinyin, then names or aliases
containing it. Each of the first stages is one indexed prefix query; the "contains"
stage scans an index, and runs only when the others found fewer than asked for and not
the exact name.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Length, StrIndex

from .models import Level, Place, PlaceKind, Region

MAX_RESULTS = 20
# Indexed (PostgreSQL's B-tree takes at most ~2,700 bytes an entry): 500 characters.
SEARCH_TEXT_LENGTH = 500
# Above this, the end of a key is cut: prefix search needs only its start.
KEY_LENGTH = {"initials": 100, "pinyin": 255}
_NOT_KEY = re.compile(r"[^0-9a-z]+")
_LATIN_QUERY = re.compile(r"^[0-9a-z' ]+$")
DEMO_SOURCE = "demo: the region tree (streets, towns, communities and villages)"
_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")


@functools.lru_cache(maxsize=50_000)
def _han_keys(run: str) -> tuple[str, str]:
    """(initials, full pinyin) of a run of Chinese characters, cached: a district's
    house numbers repeat a few thousand road names (西四路 in 西四路1号 … 西四路200号)."""
    from pypinyin import lazy_pinyin  # ~0.3 s to load: only where keys are made

    syllables = lazy_pinyin(run)
    return "".join(s[:1] for s in syllables), "".join(syllables)


def _keys_of(text: str) -> tuple[str, str]:
    """(initials, full pinyin) of one name: 文汇路12号 → (``whl12h``, ``wenhuilu12hao``).

    Words are found within a run of Chinese characters (pypinyin's phrases), so each
    run is converted alone; digits and Latin letters are kept as they are.
    """
    initials, full = [], []
    for index, run in enumerate(_RUNS.split(unicodedata.normalize("NFKC", text))):
        if index % 2:
            first, whole = _han_keys(run)
        else:
            first = whole = _key(run)
        initials.append(first)
        full.append(whole)
    return _key("".join(initials)), _key("".join(full))


def _key(text: str) -> str:
    return _NOT_KEY.sub("", text.lower())


def normalise(text: str) -> str:
    """Full-width letters and digits as ASCII, spaces collapsed (what people type)."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def search_keys(name: str, aliases: list[str]) -> tuple[str, str, str]:
    """(initials, pinyin, search_text) of a place: the keys of its name, and one text
    holding the name, the aliases and every key, for the "contains" stage."""
    initials, full = _keys_of(name)
    words = [name.lower(), initials, full]
    for alias in aliases:
        words += [alias.lower(), *_keys_of(alias)]
    return (
        initials[: KEY_LENGTH["initials"]],
        full[: KEY_LENGTH["pinyin"]],
        " ".join(dict.fromkeys(w for w in words if w))[:SEARCH_TEXT_LENGTH],
    )


# --- search ------------------------------------------------------------------------------


def _starts_with(field: str, value: str) -> Q:
    """A prefix condition the database answers from the field's index.

    PostgreSQL's ``LIKE 'x%'`` uses the ``_like`` index Django adds to an indexed
    CharField; SQLite's LIKE ignores case and so no index: a range does the same there
    (its text compares as UTF-8 bytes, which sort as code points).
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})
    return Q(**{f"{field}__startswith": value})


@dataclass
class Hit:
    place: Place
    rank: int
    context: list[str]


def _prefix_stages(query: str) -> tuple[list[tuple[int, Q]], str]:
    """The indexed prefix stages (rank, condition) and the text the "contains" stage
    looks for, for a Chinese or a Latin query."""
    latin = query.lower()
    if _LATIN_QUERY.match(latin):
        key = _key(latin)
        if not key:
            return [], ""
        return [
            (2, _starts_with("initials", key)),
            (3, _starts_with("pinyin", key)),
        ], key
    return [(1, _starts_with("name", query))], latin


def search(query: str, *, limit: int = 10, within: Region | None = None) -> list[Hit]:
    """The places matching ``query``, best first (at most ``limit``).

    ``within``: only places in this region's subtree.
    """
    query = normalise(query)[:100]
    limit = max(1, min(limit, MAX_RESULTS))
    stages, contained = _prefix_stages(query) if query else ([], "")
    places: QuerySet[Place] = Place.objects.all()
    if within is not None:
        places = places.filter(region__path__startswith=within.path)
    found: dict[int, int] = {}  # id → rank
    for rank, condition in stages:
        if len(found) >= limit:
            break
        ids = (
            places.filter(condition)
            .exclude(pk__in=list(found))
            .order_by(Length("name"), "name", "pk")
            .values_list("pk", flat=True)[: limit - len(found)]
        )
        found.update((pk, rank) for pk in ids)
    hits = _read(found)
    exact = any(_is_exact(place, query) for place in hits)
    if contained and len(found) < limit and not exact:
        hits += _read(_containing(places, contained, found, limit))
    ranked = sorted(
        hits,
        key=lambda p: (0 if _is_exact(p, query) else found.get(p.pk, 4), len(p.name), p.name, p.pk),
    )
    return _with_context(ranked[:limit], found)


def _is_exact(place: Place, query: str) -> bool:
    return place.name == query or query in place.alias_list()


def _containing(places: QuerySet[Place], text: str, found: dict[int, int], limit: int):
    """Ids of places whose name, aliases or keys contain ``text`` (rank 4).

    The one stage no index answers: it scans ``search_text``'s index (narrower than the
    table) for the ids, a few more than needed so the shortest names can be kept. It
    runs only when the prefix stages found fewer than ``limit`` and not the exact name.
    """
    ids = (
        places.annotate(at=StrIndex("search_text", Value(text)))
        .filter(at__gt=0)
        .exclude(pk__in=list(found))
        .order_by()  # not by name: that would walk the name index and read every row
        .values_list("pk", flat=True)[: limit * 5]
    )
    return dict.fromkeys(ids, 4)


def _read(ids) -> list[Place]:
    if not ids:
        return []
    return list(
        Place.objects.filter(pk__in=list(ids))
        .select_related("region")
        .defer("search_text", "region__boundary")
    )


def _with_context(ranked: list[Place], found: dict[int, int]) -> list[Hit]:
    """Each hit with the names of the regions above it, district down (one query)."""
    codes = {code for place in ranked if place.region for code in place.region.path.split("/")}
    codes.discard("")
    names = dict(
        Region.objects.filter(code__in=codes)
        .exclude(level__in=[Level.CITY, Level.GRID])
        .values_list("code", "name")
    )
    hits = []
    for place in ranked:
        path = place.region.path.split("/") if place.region else []
        context = [names[c] for c in path if c in names and names[c] != place.name]
        hits.append(Hit(place, found.get(place.pk, 4), context))
    return hits


# --- the demo ----------------------------------------------------------------------------

KIND_OF_LEVEL = {Level.STREET: PlaceKind.STREET, Level.COMMUNITY: PlaceKind.COMMUNITY}


@transaction.atomic
def load_region_places(district: Region, *, source: str = DEMO_SOURCE) -> int:
    """Every street, town, community and village under ``district`` as a place at the
    point inside its polygon (the region's representative point). Safe to run again."""
    regions = (
        Region.objects.within(district)
        .filter(level__in=list(KIND_OF_LEVEL), centroid_lng__isnull=False)
        .defer("boundary")
    )
    existing = {
        (p.name, p.kind, p.region_id): p
        for p in Place.objects.filter(kind__in=KIND_OF_LEVEL.values(), region__in=regions)
    }
    count = 0
    for region in regions:
        kind = KIND_OF_LEVEL[Level(region.level)]
        place = existing.get((region.name, kind, region.pk)) or Place(
            name=region.name, kind=kind, region=region, source=source
        )
        count += 1
        if place.source != source:
            continue  # an imported gazetteer's own entry wins over the derived one
        if place.pk and (place.lng, place.lat) == (region.centroid_lng, region.centroid_lat):
            continue
        place.lng, place.lat = region.centroid_lng, region.centroid_lat
        place.save()
    return count
