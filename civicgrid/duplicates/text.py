"""Text likeness of two citizen messages, cheap enough to run on a few hundred at once.

A message becomes the set of its character bigrams (after folding width and case and
dropping punctuation and the polite opening 尊敬的领导：您好). Chinese needs no word
segmentation for this: two people describing the same lamp post share most of their
bigrams (路灯, 灯不, 不亮 …) whatever else they write.

``likeness`` is the share of the *shorter* message's bigrams found in the longer one
(an overlap coefficient), so a caller who says less — a title only, half the story —
still matches the full report. ``SMOOTHING`` unmatched bigrams are added to the shorter
side, so that three words in common are not taken for the same story. Only the title
and the first ``TEXT_CHARS`` characters are read: the opening of a message names the
place and the problem.
"""

import re
from collections.abc import Sequence

import numpy as np

from civicgrid.cases.greetings import without_greeting

TEXT_CHARS = 300
SMOOTHING = 4
# Punctuation, spaces and symbols split a text into runs; bigrams never cross a run.
_SPLIT = re.compile(r"[^\w]+|_")
# Full-width letters and digits (Ａ１), as typed by Chinese input methods; full-width
# punctuation splits runs as it is.
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def message_text(title: str, content: str = "") -> str:
    """The part of a message that is compared: its title and the opening of its content."""
    content = without_greeting(content)[:TEXT_CHARS]
    return f"{title or ''}。{content}" if content else (title or "")


def _half_width(match: re.Match) -> str:
    return chr(ord(match.group()) - 0xFEE0)


def fold(text: str) -> str:
    """Full-width letters and digits as ASCII, and lower case."""
    return _FULL_WIDTH.sub(_half_width, text).lower()


def runs(text: str) -> list[str]:
    """``text`` folded and cut at everything that is not a letter or a digit."""
    return [run for run in _SPLIT.split(fold(text)) if run]


def shingles(text: str) -> frozenset[str]:
    """Character bigrams of ``text``; a one-character run counts as itself."""
    grams: set[str] = set()
    for run in runs(text):
        if len(run) == 1:
            grams.add(run)
        else:
            grams.update(map(str.__add__, run, run[1:]))
    return frozenset(grams)


def likeness(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set found in the other, smoothed; 0 when either is empty."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / (len(small) + SMOOTHING)


# --- many at once ------------------------------------------------------------------------
# The same bigrams as ``shingles``, for a few hundred texts in one go with numpy: each
# bigram is the pair of its code points (21 bits each), tagged with its text's index.
_BITS = 21
_TEXT_SHIFT = 2 * _BITS
_CODE_MASK = (1 << _TEXT_SHIFT) - 1
_SEPARATOR = "\x00"
_is_word: np.ndarray | None = None


def _word_table() -> np.ndarray:
    """``table[code point]`` for the Basic Multilingual Plane: is it a letter or a digit
    (what ``_SPLIT`` keeps)? Built once per process (~20 ms)."""
    global _is_word
    if _is_word is None:
        _is_word = np.array([chr(c).isalnum() for c in range(0x10000)], dtype=bool)
    return _is_word


def _is_word_char(chars: np.ndarray) -> np.ndarray:
    word = _word_table()[np.minimum(chars, 0xFFFF)]
    beyond = np.flatnonzero(chars > 0xFFFF)  # rare: CJK extensions, emoji
    if len(beyond):
        word[beyond] = [chr(int(c)).isalnum() for c in chars[beyond]]
    return word


def _tagged_grams(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Unique (text index, bigram code) pairs of ``texts``, as two aligned arrays."""
    joined = _SEPARATOR.join(fold(t).replace(_SEPARATOR, " ") for t in texts)
    chars = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    word = _is_word_char(chars)
    text_of = np.cumsum(chars == ord(_SEPARATOR))
    before = np.concatenate(([False], word[:-1]))
    after = np.concatenate((word[1:], [False]))
    pairs = np.flatnonzero(word & after)  # a bigram starts here
    alone = np.flatnonzero(word & ~before & ~after)  # a one-character run
    codes = np.concatenate(((chars[pairs] << _BITS) | chars[pairs + 1], chars[alone]))
    owners = np.concatenate((text_of[pairs], text_of[alone]))
    tagged = np.sort((owners << _TEXT_SHIFT) | codes)
    # Unique by sorting (numpy's hash-based unique is slower on these sizes).
    if len(tagged):
        tagged = tagged[np.concatenate(([True], tagged[1:] != tagged[:-1]))]
    return tagged >> _TEXT_SHIFT, tagged & _CODE_MASK


def likeness_to_many(text: str, others: Sequence[str]) -> np.ndarray:
    """``likeness(shingles(text), shingles(o))`` for every ``o`` of ``others``, vectorised."""
    if not others:
        return np.zeros(0)
    _none, wanted = _tagged_grams([text])
    owners, codes = _tagged_grams(others)
    sizes = np.bincount(owners, minlength=len(others))
    if len(wanted) == 0:
        return np.zeros(len(others))
    at = np.searchsorted(wanted, codes).clip(max=len(wanted) - 1)
    shared = np.bincount(owners, weights=wanted[at] == codes, minlength=len(others))
    smaller = np.minimum(sizes, len(wanted))
    return np.where(sizes > 0, shared / (smaller + SMOOTHING), 0.0)
