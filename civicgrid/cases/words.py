"""The words of a case's title, for a text index that finds two-character words.

A trigram index cannot serve a two-character Chinese word (``小区``, ``物业``): a
trigram needs three characters, so PostgreSQL reads every title. jieba cuts the title
into words once, when the case is saved (``Case.title_words``: the words separated by
spaces, in jieba's search mode, which adds the shorter words inside long ones:
中华人民共和国 → 中华 华人 人民 共和 共和国 …); a GIN index over
``to_tsvector('simple', title_words)`` then finds every title holding all the words of
a query (migration ``0012``). SQLite has no such index: there the search stays
``LIKE '%…%'`` over the titles (``matches``).
"""

import logging
import re
import threading
import warnings

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value

_ready = threading.Lock()
_cutter = None

# What a word may hold: letters (any script) and digits; the rest is punctuation.
WORD = re.compile(r"\w+")


def _jieba():
    """jieba's tokenizer with its dictionary, loaded once per process (about 0.5 s)."""
    global _cutter
    if _cutter is None:
        with _ready:
            if _cutter is None:
                with warnings.catch_warnings():
                    # jieba's regular expressions use escapes newer Pythons warn of.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    warnings.simplefilter("ignore", SyntaxWarning)
                    import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _cutter = jieba.dt
    return _cutter


def _clean(words) -> list[str]:
    seen: dict[str, None] = {}
    for word in words:
        for part in WORD.findall(word.lower()):
            seen.setdefault(part, None)
    return list(seen)


def title_words(title: str) -> str:
    """The words of ``title`` as the index stores them: jieba's search-mode words
    (each once, lower case, without punctuation), separated by spaces."""
    if not title:
        return ""
    return " ".join(_clean(_jieba().cut_for_search(title)))[:2000]


def query_words(text: str) -> list[str]:
    """The words of a search text, cut as a title is (precise mode: ``小区物业`` is
    小区 and 物业, each of which a title cut in search mode holds)."""
    return _clean(_jieba().cut(text.strip())) if text.strip() else []


class HasWords(Func):
    """``string_to_array(title_words, ' ') @> ARRAY[words]``: the exact expression of the
    GIN index (``cases.0020``), so PostgreSQL reads the index; the words given must all
    be among the title's."""

    arg_joiner = ", ' ') @> "
    template = "(string_to_array(%(expressions)s::text[])"
    output_field = BooleanField()


def uses_index() -> bool:
    return connection.vendor == "postgresql"


def matches(text: str) -> Q:
    """Cases whose title holds ``text``: on PostgreSQL, each of its words, through the
    word index; elsewhere (SQLite), the text itself, anywhere in the title."""
    text = text.strip()
    # One character is no word: looked for inside words too, as before.
    words = query_words(text) if uses_index() and len(text) > 1 else []
    if not words:
        return Q(title__icontains=text)
    return Q(HasWords(F("title_words"), Value(words)))
