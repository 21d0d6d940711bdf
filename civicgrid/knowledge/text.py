"""Chinese text for the knowledge base: search tokens, and cleaning of published replies.

Search reads a text as three kinds of tokens, so that what an operator types finds an
entry whether it is a whole word, part of one, or a single character:

- jieba words in search mode (``住房公积金`` also gives ``住房``, ``公积``, ``公积金``);
- character bigrams of every run of Chinese characters (``公积`` while ``公积金`` is typed);
- single Chinese characters (the first keystroke), which the index weights down.

Latin letters and digits form lower-case words (``ETC``, ``12345``).
"""

import logging
import re
import threading
import unicodedata

from civicgrid.cases.greetings import without_greeting

_jieba_lock = threading.Lock()
_jieba_ready = False

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+")
_SPACE = re.compile(r"\s+")


def _jieba():
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba


def normalise(text: str) -> str:
    """Full-width letters and digits to ASCII, lower case, one space between words."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().lower()


def is_han(token: str) -> bool:
    return bool(_HAN.fullmatch(token))


def tokens(text: str, *, chars: bool = True) -> list[str]:
    """Search tokens of ``text`` (words, bigrams and, with ``chars``, single characters),
    in no particular order."""
    text = normalise(text)
    if not text:
        return []
    found: list[str] = []
    for run in _HAN.findall(text):
        if chars:
            found.extend(run)
        found.extend(run[i : i + 2] for i in range(len(run) - 1))
        found.extend(w for w in _jieba().lcut_for_search(run) if len(w) > 2)
    found.extend(_LATIN.findall(text))
    return found


# Words a caller uses whatever they ask about: they say nothing about which entry fits.
_CALL_WORDS = (
    "怎么 怎么办 怎样 如何 什么 为什么 哪里 哪个 哪些 多少 能不能 可不可以 可以 是否 请问"
    " 我想 想问 问问 一下 咨询 问题 反映 投诉 关于 情况 相关 需要 你好 您好 谢谢 本市 本区 本县"
)
CALL_WORDS = frozenset(_CALL_WORDS.split())


def words(text: str) -> set[str]:
    """The words of ``text`` that can say what it is about: jieba words of two or more
    Chinese characters (search mode, and any bigram that is a dictionary word, so
    ``路灯不亮`` gives ``路灯``) and Latin words, less the ``CALL_WORDS``."""
    text = normalise(text)
    found = set(_LATIN.findall(text))
    for run in _HAN.findall(text):
        jieba = _jieba()
        found.update(w for w in jieba.lcut_for_search(run) if len(w) > 1)
        found.update(b for i in range(len(run) - 1) if jieba.dt.FREQ.get(b := run[i : i + 2]))
    return found - CALL_WORDS


# --- cleaning the published replies (used when the demo seed is built) ------------------

# The organisers replaced place names by letters: 西地省, A市, A3区, K7县.
_PLACES = re.compile(r"(?:西地省)?(?:[A-Z]\d{0,2}(?:市|区|县))+")
_PLACE_KIND = {"市": "本市", "区": "本区", "县": "本县"}
_USER_ID = re.compile(r"[“\"']?UU\d+[”\"']?")


def local_places(text: str) -> str:
    """``A市A3区`` → ``本区``: the anonymised places read as "this city / district"."""
    return _PLACES.sub(lambda m: _PLACE_KIND[m.group(0)[-1]], text)


# Openings such as "网友“UU0081019”：您好！您的留言已收悉。现将有关情况回复如下：".
_OPENING = re.compile(
    r"^.{0,200}?(?:回复如下|答复如下|函复如下|说明如下|如下回复|如下答复|回复您|答复您)[：:，,。]?"
)
# After the greeting: "your message has been received".
_RECEIVED = re.compile(
    r"^(?:(?:您|你)(?:的|所)?(?:留言|来信|来邮|咨询|反映的问题|函件|信件)(?:已|我们已)?(?:收悉|获悉)[！!。，,\s]*)?"
)
# Closing sentences: thanks, "特此回复", a signature, a date.
_CLOSING = re.compile(
    r"(?:[，,。！!]?\s*(?:再次)?(?:衷心)?(?:感谢|谢谢)[^。！!]{0,30}[。！!]?"
    r"|[，,。！!]?\s*特此(?:回复|答复|函复)[。！!]?"
    r"|(?<=[。！!\s])\s*[\u4e00-\u9fffA-Z0-9（）()]{2,25}(?:局|办|办公室|中心|委员会|政府|公司|大队|支队|办事处)"
    r"|[\s　]*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[\s　。]*$"
)
# Replies that only say the letter was passed on: no answer to reuse.
_FORWARD_ONLY = re.compile(r"已转|转交|转由|转相关|敬请关注|收悉|正在(?:调查|核实|处理)")


def clean_reply(text: str) -> str:
    """The body of a published reply: no greeting, no "reply as follows", no thanks, no date."""
    text = _SPACE.sub(" ", (text or "").replace("_x000D_", " ")).strip()
    text = _USER_ID.sub("", text)
    for _round in range(6):
        shorter = _CLOSING.sub("", text).rstrip(" ，,")
        if shorter == text:
            break
        text = shorter
    opening = _OPENING.search(text)
    if opening:
        text = text[opening.end() :]
    text = _RECEIVED.sub("", without_greeting(text)).strip()
    if text and (_HAN.match(text[-1]) or text[-1].isalnum()):
        text += "。"
    return local_places(text)


def is_substantive(reply: str, *, min_length: int = 30) -> bool:
    """Whether a cleaned reply answers something, rather than only passing the letter on."""
    if len(reply) < min_length:
        return False
    return not (len(reply) < 120 and _FORWARD_ONLY.search(reply))


def clean_title(title: str) -> str:
    return local_places(_SPACE.sub(" ", (title or "").replace("_x000D_", " ")).strip())
