"""Repeat petitions: the same person (a keyed hash) about the same matter (a text match).

The person is the normalised name plus the ID number, or the phone digits when no ID
number was given, hashed with HMAC-SHA256 keyed by the project's ``SECRET_KEY``
(``django.utils.crypto.salted_hmac``, as ``citizens.ratelimit`` does): the table never
needs a readable identity to find a repeat, and a copied table cannot be searched by
hashing guesses without the key.

The matter is compared like ``duplicates.text`` compares messages (that app is on the
same floor, so not imported): the sets of character bigrams, the share of the shorter
text's bigrams found in the longer one, smoothed so that a few words in common are not
the same matter. Chinese needs no word segmentation for this.
"""

import re
import unicodedata

from django.utils.crypto import salted_hmac

from civicgrid.cases import phones

SALT = "civicgrid.petitions.identity"
SMOOTHING = 4
SAME_MATTER = 0.5
TEXT_CHARS = 400
_SPLIT = re.compile(r"[^\w]+|_")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def identity_hash(name: str, id_number: str = "", phone: str = "") -> str:
    """The keyed hash of a petitioner; "" when there is not enough to know the person."""
    name = "".join(_fold(name).split())
    key = "".join(_fold(id_number).split()).upper() or phones.digits(_fold(phone))
    if not name or not key:
        return ""
    return salted_hmac(SALT, f"{name}|{key}", algorithm="sha256").hexdigest()


def shingles(text: str) -> frozenset[str]:
    grams: set[str] = set()
    for run in _SPLIT.split(_fold(text)[:TEXT_CHARS]):
        if len(run) == 1:
            grams.add(run)
        elif run:
            grams.update(map(str.__add__, run, run[1:]))
    return frozenset(grams)


def likeness(a: str, b: str) -> float:
    """How much of the shorter matter the longer one says too (0…1)."""
    x, y = shingles(a), shingles(b)
    if not x or not y:
        return 0.0
    small, large = (x, y) if len(x) <= len(y) else (y, x)
    return len(small & large) / (len(small) + SMOOTHING)


def same_matter(a: str, b: str) -> bool:
    return likeness(a, b) >= SAME_MATTER
