"""The gazetteer (地名地址库): search keys, search as one types, the demo's entries.

A query in Chinese matches names; a query in Latin letters matches the pinyin initials
(东营社区 ← ``dysq``) and the full pinyin (``dongying``). Ranking: the exact name, then
names starting with the query, then initials, then full pinyin, then names or aliases
containing it. Each of the first stages is one indexed prefix query; the "contains"
stage scans, and runs only when the others found fewer than asked for.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Length

from .models import Level, Place, PlaceKind, Region

MAX_RESULTS = 20
# Above this, the end of a key is cut: prefix search needs only its start.
KEY_LENGTH = {"initials": 100, "pinyin": 255}
_NOT_KEY = re.compile(r"[^0-9a-z]+")
_LATIN_QUERY = re.compile(r"^[0-9a-z' ]+$")
# Marks a run the pinyin converter left as it was (digits, Latin letters).
_KEPT = "\x01"
DEMO_SOURCE = "demo: the region tree (streets, towns, communities and villages)"


def _syllables(text: str) -> list[str]:
    from pypinyin import lazy_pinyin  # ~0.3 s to load: only where keys are made

    return lazy_pinyin(text, errors=lambda run: _KEPT + run)


def _keys_of(text: str) -> tuple[str, str]:
    """(initials, full pinyin) of one name: 文汇路12号 → (``whl12h``, ``wenhuilu12hao``)."""
    initials, full = [], []
    for syllable in _syllables(text):
        if syllable.startswith(_KEPT):
            kept = _NOT_KEY.sub("", syllable[1:].lower())
            initials.append(kept)
            full.append(kept)
        else:
            initials.append(syllable[:1])
            full.append(syllable)
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
        " ".join(dict.fromkeys(w for w in words if w)),
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


def _stages(query: str) -> list[tuple[int, Q]]:
    latin = query.lower()
    if _LATIN_QUERY.match(latin):
        key = _key(latin)
        if not key:
            return []
        return [
            (2, _starts_with("initials", key)),
            (3, _starts_with("pinyin", key)),
            (4, Q(search_text__contains=key)),
        ]
    return [
        (1, _starts_with("name", query)),
        (4, Q(search_text__contains=query.lower())),
    ]


def search(query: str, *, limit: int = 10, within: Region | None = None) -> list[Hit]:
    """The places matching ``query``, best first (at most ``limit``).

    ``within``: only places in this region's subtree.
    """
    query = normalise(query)[:100]
    limit = max(1, min(limit, MAX_RESULTS))
    if not query:
        return []
    places: QuerySet[Place] = Place.objects.select_related("region").defer("search_text", "region__boundary")
    if within is not None:
        places = places.filter(region__path__startswith=within.path)
    found: dict[int, tuple[int, Place]] = {}
    for rank, condition in _stages(query):
        if len(found) >= limit:
            break
        rows = (
            places.filter(condition)
            .exclude(pk__in=list(found))
            .order_by(Length("name"), "name", "pk")[: limit - len(found)]
        )
        for place in rows:
            exact = place.name == query or query in place.alias_list()
            found[place.pk] = (0 if exact else rank, place)
    ranked = sorted(found.values(), key=lambda r: (r[0], len(r[1].name), r[1].name, r[1].pk))
    return _with_context([(rank, place) for rank, place in ranked])


def _with_context(ranked: list[tuple[int, Place]]) -> list[Hit]:
    """Each hit with the names of the regions above it, district down (one query)."""
    codes = {
        code
        for _rank, place in ranked
        if place.region
        for code in place.region.path.split("/")
        if code
    }
    names = dict(
        Region.objects.filter(code__in=codes)
        .exclude(level__in=[Level.CITY, Level.GRID])
        .values_list("code", "name")
    )
    hits = []
    for rank, place in ranked:
        path = place.region.path.split("/") if place.region else []
        context = [names[c] for c in path if c in names and names[c] != place.name]
        hits.append(Hit(place, rank, context))
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
