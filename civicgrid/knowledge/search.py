"""Ranked search of the knowledge base, as the operator types.

BM25 over three fields — question (weight 3), other phrasings (2), answer (1) — whose
tokens are jieba words, character bigrams and single characters (``text.tokens``;
single characters count a third, so the first keystroke already ranks something and
whole words soon dominate). A typed string found verbatim in an entry's question or
phrasings adds a bonus.

The index is a sparse matrix of per-(entry, token) weights kept per process in a
``core.snapshot.Snapshot`` whose version is the entries' count and latest
``updated_at``: an entry saved by another process is searchable within seconds. Validity
is checked at query time (an entry expires at midnight without being saved), and the
entries shown are read from the database, so a stale index can only rank, never show,
something that is no longer in force.
"""

import threading
import time as clock
from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import chain

import numpy as np
from django.db import connections
from django.db.models import Count, Max
from django.utils import timezone
from scipy import sparse

from civicgrid.core.snapshot import Snapshot

from . import text
from .models import Entry

FIELD_WEIGHTS = (3.0, 2.0, 1.0)  # question, other phrasings, answer
CHAR_WEIGHT = 1 / 3
K1, B = 1.2, 0.75
PHRASE_BONUS = 0.5  # × the best score, for the typed string found verbatim
# Entries scoring below this share of the best are noise (one common character in
# common): not shown.
RELATIVE_FLOOR = 0.1
# The relevance floor: once the query has a word, an entry must share one of its telling
# words — one found in at most this share of the entries (or in at most COMMON_MIN of
# them), not "怎么" or "咨询". Characters alone ("供" and "暖" in a water entry) are no match.
COMMON_SHARE = 0.05
COMMON_MIN = 3
FAR_FUTURE = date.max.toordinal()
MAX_LIMIT = 50


def search_text(question: str, keywords: str, answer: str) -> str:
    """What ``Entry.search_text`` stores: the tokens of each field, one line per field.

    The answer goes without single characters: they rank nothing a bigram does not, and
    would be a third of the index.
    """
    parts = (text.tokens(question), text.tokens(keywords), text.tokens(answer, chars=False))
    return "\n".join(" ".join(part) for part in parts)


@dataclass
class Index:
    ids: np.ndarray  # entry ids, one per row
    weights: sparse.csc_matrix  # rows: entries; columns: tokens
    vocabulary: dict[str, int]
    valid_from: np.ndarray  # date ordinals
    valid_to: np.ndarray
    category: np.ndarray  # category id, 0 when none
    phrases: list[str]  # normalised question and phrasings, for verbatim matches

    def __len__(self) -> int:
        return len(self.ids)


def _version() -> tuple:
    row = Entry.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    return (row["n"], row["m"])


def build(rows) -> Index:
    """The index of ``rows`` (id, search_text, valid_from, valid_to, category_id, question,
    keywords) — active entries only.

    Vectorised: the tokens of all entries are mapped to columns in one pass, and the
    (entry, column, field weight) triples summed by scipy, not in a Python loop.
    """
    rows = list(rows)
    fields: list[list[list[str]]] = [[], [], []]
    for row in rows:
        lines = (row[1].split("\n") + ["", "", ""])[:3]
        for field, line in zip(fields, lines, strict=True):
            field.append(line.split())
    every = set()
    for field in fields:
        every.update(chain.from_iterable(field))
    vocabulary = {token: column for column, token in enumerate(every)}
    n_docs = len(rows)
    docs, columns, weights = [], [], []
    for weight, field in zip(FIELD_WEIGHTS, fields, strict=True):
        counts = np.fromiter(map(len, field), dtype=np.int64, count=n_docs)
        total = int(counts.sum())
        docs.append(np.repeat(np.arange(n_docs), counts))
        flat = map(vocabulary.__getitem__, chain.from_iterable(field))
        columns.append(np.fromiter(flat, dtype=np.int64, count=total))
        weights.append(np.full(total, weight, dtype=np.float64))
    tf = sparse.coo_matrix(
        (np.concatenate(weights), (np.concatenate(docs), np.concatenate(columns))),
        shape=(n_docs, len(vocabulary)),
    ).tocsr()  # duplicates summed: the field-weighted count of each token in each entry
    tf.sum_duplicates()
    return _matrix(rows, vocabulary, tf)


def _matrix(rows, vocabulary: dict[str, int], tf: sparse.csr_matrix) -> Index:
    n_docs, n_terms = tf.shape
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    doc_of = np.repeat(np.arange(n_docs), np.diff(tf.indptr))
    df = np.bincount(tf.indices, minlength=n_terms).astype(np.float64)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    single = np.fromiter((len(t) == 1 and text.is_han(t) for t in vocabulary), bool, n_terms)
    idf[single] *= CHAR_WEIGHT
    average = lengths.mean() if n_docs else 1.0
    norm = K1 * (1 - B + B * lengths[doc_of] / (average or 1.0))
    data = idf[tf.indices] * tf.data * (K1 + 1) / (tf.data + norm)
    weights = sparse.csr_matrix((data.astype(np.float32), tf.indices, tf.indptr), shape=tf.shape)
    return Index(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        weights=weights.tocsc(),
        vocabulary=vocabulary,
        valid_from=np.array([r[2].toordinal() for r in rows], dtype=np.int64),
        valid_to=np.array([r[3].toordinal() if r[3] else FAR_FUTURE for r in rows], dtype=np.int64),
        category=np.array([r[4] or 0 for r in rows], dtype=np.int64),
        phrases=[text.normalise(f"{r[5]}\n{r[6]}") for r in rows],
    )


def _load() -> Index:
    rows = (
        Entry.objects.filter(is_active=True)
        .order_by("id")
        .values_list(
            "id", "search_text", "valid_from", "valid_to", "category_id", "question", "keywords"
        )
    )
    return build(rows.iterator(chunk_size=2000))


class RefreshingSnapshot(Snapshot[Index]):
    """A snapshot that, once built, rebuilds in a background thread when the version
    changes and serves the previous index meanwhile.

    Building the index of 10,000 entries takes seconds; without this, the first search
    after any edit would wait for it in every process. The very first build, one after
    ``forget()``, and any build with ``every == 0`` (tests) still happen in the caller.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._refreshing = False

    def get(self, *, force: bool = False) -> Index:
        if self._value is None or force or self.every <= 0:
            return super().get(force=force)
        now = clock.monotonic()
        if now - self._checked < self.every:
            return self._value
        with self._lock:
            if now - self._checked >= self.every and not self._refreshing:
                self._checked = now
                version = self._version_of()
                if version != self._version:
                    self._refreshing = True
                    threading.Thread(target=self._refresh, args=(version,), daemon=True).start()
            return self._value

    def check_soon(self) -> None:
        self._checked = 0.0

    def _refresh(self, version: tuple) -> None:
        try:
            value = self._build()
            with self._lock:
                if self._value is not None:  # not forgotten meanwhile
                    self._value, self._version = value, version
        finally:
            self._refreshing = False
            connections.close_all()  # this thread's own connections


_index: Snapshot[Index] = RefreshingSnapshot(_version, _load, every=2.0)


def current_index() -> Index:
    return _index.get()


def forget() -> None:
    """Drop this process's index: the next search rebuilds it, and waits for it."""
    _index.forget()


def refresh_soon() -> None:
    """After a change made here: check the version at the next search, not seconds later
    (the rebuild itself still runs in the background)."""
    _index.check_soon()


def rank(
    index: Index,
    query: str,
    *,
    limit: int = 10,
    day: date | None = None,
    categories: set[int] | None = None,
) -> list[tuple[int, float]]:
    """(entry id, score) of the best ``limit`` entries valid on ``day``, best first."""
    counts = Counter(t for t in text.tokens(query) if t in index.vocabulary)
    if not counts or not len(index):
        return []
    columns = [index.vocabulary[t] for t in counts]
    weights = np.array(list(counts.values()), dtype=np.float32)
    scores = np.asarray(index.weights[:, columns] @ weights).ravel()
    ordinal = (day or timezone.localdate()).toordinal()
    allowed = (index.valid_from <= ordinal) & (ordinal <= index.valid_to) & (scores > 0)
    if categories is not None:
        allowed &= np.isin(index.category, list(categories))
    words = text.words(query)
    if words:
        allowed &= _shares_a_telling_word(index, words)
    candidates = np.flatnonzero(allowed)
    if not len(candidates):
        return []
    _add_phrase_bonus(index, text.normalise(query), scores, candidates)
    candidates = candidates[scores[candidates] >= RELATIVE_FLOOR * scores[candidates].max()]
    top = candidates[np.argsort(-scores[candidates], kind="stable")[:limit]]
    return [(int(index.ids[i]), float(scores[i])) for i in top]


def _shares_a_telling_word(index: Index, words: set[str]) -> np.ndarray:
    """Per entry, whether it contains one of ``words`` that is not common to many entries."""
    common = max(COMMON_SHARE * len(index), COMMON_MIN)
    columns = [index.vocabulary[w] for w in words if w in index.vocabulary]
    entries_with = np.diff(index.weights.indptr)  # per column: how many entries have it
    columns = [c for c in columns if entries_with[c] <= common]
    if not columns:
        return np.zeros(len(index), dtype=bool)
    return np.asarray((index.weights[:, columns] != 0).sum(axis=1)).ravel() > 0


def _add_phrase_bonus(index: Index, typed: str, scores: np.ndarray, candidates) -> None:
    if len(typed) < 2:
        return
    # The verbatim check is a Python loop: keep it to the best few hundred.
    shortlist = candidates[np.argsort(-scores[candidates])[:300]]
    bonus = PHRASE_BONUS * float(scores[shortlist[0]])
    for i in shortlist:
        if typed in index.phrases[i]:
            scores[i] += bonus


def search(
    query: str, *, limit: int = 10, category=None, day: date | None = None
) -> list[tuple[Entry, float]]:
    """The entries that best answer ``query`` with their scores, best first.

    Only entries in use and valid on ``day`` (today) are returned; ``category`` keeps
    entries filed under it, under a category below it, or under one of its parents.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    categories = related_categories(category) if category is not None else None
    ranked = rank(current_index(), query, limit=limit, day=day, categories=categories)
    if not ranked:
        return []
    ids = [entry_id for entry_id, _score in ranked]
    rows = Entry.objects.valid(day).filter(pk__in=ids).select_related("category", "department")
    found = {entry.pk: entry for entry in rows}
    return [(found[i], score) for i, score in ranked if i in found]


def related_categories(category) -> set[int]:
    """Ids of ``category``, the categories below it and those above it."""
    from civicgrid.routing.models import Category

    related = {c.pk for c in category.lineage()}
    frontier = [category.pk]
    while frontier:
        frontier = list(
            Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        related.update(frontier)
    return related
